"""Connector registry: the built-ins listed explicitly, plus entry points `scanner.connectors`."""

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
