"""Connector registry: the built-ins listed explicitly, plus entry points `scanner.connectors`.

`FOLLOWER_SOURCES`: the platforms whose followers/members the account's own token can read
(`connectors.base.FollowerSource`), plus entry points `scanner.follower_sources`.
"""

from scanner.plugins import Registry

CONNECTORS = Registry(
    "platform",
    "scanner.connectors",
    {
        "reddit": "connectors.reddit:RedditConnector",
        "x": "connectors.x:XConnector",
        "facebook": "connectors.facebook:FacebookConnector",
        "instagram": "connectors.instagram:InstagramConnector",
        "blog": "connectors.blog:BlogConnector",
    },
)

FOLLOWER_SOURCES = Registry(
    "follower source",
    "scanner.follower_sources",
    {
        "x": "connectors.x:XFollowers",
        "reddit": "connectors.reddit:RedditFollowers",
    },
)
