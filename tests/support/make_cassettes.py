"""Writes every committed cassette under cassettes/ (run from the repository root).

    .venv/bin/python -m tests.support.make_cassettes [OUT_DIR] [--realdata DIR]

(`.venv/bin/python tests/support/make_cassettes.py …` works too.)

Scenario cassettes (`cassettes/<platform>/{first,incremental,empty}.yaml`) and the demo cassettes
(`cassettes/demo/*.yaml`) are built from the shapes in cassette_kit; the `realdata_*` cassettes
are converted from the untouched recordings in ../shared/realdata (see cassettes/PROVENANCE.md).
`test_cassettes_are_reproducible` regenerates everything into a temporary folder and compares.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

if not __package__:  # run as a file: make the `tests` package importable from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.support.cassette_kit import (
    GRAPH,
    Ix,
    atom_comments_feed,
    atom_feed,
    fb_comment,
    fb_post,
    feed_get,
    graph_deleted,
    graph_get,
    graph_page,
    ig_comment,
    ig_media,
    pt,
    reddit_about,
    reddit_comment,
    reddit_comments_page,
    reddit_page,
    reddit_post,
    reddit_thread,
    reddit_token,
    reddit_user_page,
    ts,
    tweet,
    wp_comment,
    wp_comments_get,
    write_cassette,
    x_not_enrolled,
    x_rate,
    x_reply,
    x_search_page,
    x_snowflake,
    x_tweets_page,
    x_user,
)

ROOT = Path(__file__).resolve().parents[2]
DISCLAIMER = "Information in this post may change. For official information, visit mvsd.k12.wa.us."
FB_FIELDS = "message%2Ccreated_time%2Cupdated_time%2Cpermalink_url"
IG_FIELDS = "caption%2Ctimestamp%2Cpermalink%2Cmedia_type"
FB_COMMENT_FIELDS = "id%2Cmessage%2Ccreated_time%2Cfrom%2Cparent%7Bid%7D%2Cpermalink_url"
IG_COMMENT_FIELDS = (
    "id%2Ctext%2Ctimestamp%2Cusername%2Creplies%7Bid%2Ctext%2Ctimestamp%2Cusername%7D"
)

# --- scenario cassettes -------------------------------------------------------------------

SUB = "MapleValleyChess"
CHESS = "Maple Valley chess club, Jefferson High School."


def reddit_scenarios(out: Path) -> None:
    about = reddit_about(SUB, "Maple Valley Chess", CHESS, DISCLAIMER)
    p = [
        reddit_post(
            SUB,
            "1q0e5",
            "Tournament results",
            pt("2026-10-24 17:30"),
            selftext="We went 4-1 at the Kent open.",
        ),
        reddit_post(
            SUB,
            "1q0d4",
            "Practice moved to Thursday",
            pt("2026-10-22 09:05"),
            selftext="Room C210 this week.",
            edited=pt("2026-10-22 12:40"),
        ),
        reddit_post(
            SUB,
            "1q0c3",
            "Snack schedule",
            pt("2026-10-21 15:30"),
            selftext="[deleted]",
            author="[deleted]",
            removed_by_category="deleted",
        ),
        reddit_post(
            SUB,
            "1q0b2",
            "Club photo day",
            pt("2026-10-20 19:00"),
            url="https://photos.maplevalleysd.org/chess/2026",
        ),
        reddit_post(
            SUB,
            "1q0a1",
            "Welcome back",
            pt("2026-10-19 08:00"),
            selftext="Meetings start next week.",
            removed_by_category="moderator",
        ),
    ]
    write_cassette(
        out / "reddit/first.yaml",
        [
            reddit_token(),
            reddit_page(SUB, p[:3], after="t3_1q0c3"),
            reddit_page(SUB, p[3:], after=None),
        ],
    )
    # An account whose profile disclaimer counts: the about request, once (cached a day).
    write_cassette(
        out / "reddit/profile.yaml",
        [reddit_token(), reddit_page(SUB, p[:1], after=None), about],
    )
    # Incremental from cursor t3_1q0c3 (2026-10-21 15:30 PDT) with recheck_hours=30: three new
    # posts over two pages, then the cursor post, an edited post 25 h behind it, and a post
    # 36 h behind it, where the walk stops.
    new = [
        reddit_post(
            SUB,
            "1q0h8",
            "Winter ladder sign-ups",
            pt("2026-10-27 12:00"),
            selftext="Sign up by Friday.",
        ),
        reddit_post(
            SUB, "1q0g7", "Bus to state", pt("2026-10-26 18:30"), selftext="Leaves at 7 am."
        ),
        reddit_post(
            SUB,
            "1q0f6",
            "Puzzle of the week",
            pt("2026-10-25 20:15"),
            selftext="White to move and mate in 3.",
        ),
    ]
    behind = [
        reddit_post(
            SUB, "1q0c3", "Snack schedule", pt("2026-10-21 15:30"), selftext="Bring fruit."
        ),
        reddit_post(
            SUB,
            "1q0b9",
            "Rating update",
            pt("2026-10-20 14:30"),
            selftext="Ratings are posted in C210.",
            edited=pt("2026-10-26 10:00"),
        ),
        reddit_post(SUB, "1q0a8", "Old news", pt("2026-10-20 03:30"), selftext="Stop here."),
        reddit_post(SUB, "1q0a7", "Older news", pt("2026-10-19 03:30"), selftext="Never read."),
    ]
    write_cassette(
        out / "reddit/incremental.yaml",
        [
            reddit_token(),
            reddit_page(SUB, new[:2], after="t3_1q0g7"),
            reddit_page(SUB, new[2:] + behind, after="t3_1q0a7"),
        ],
    )
    write_cassette(
        out / "reddit/empty.yaml",
        [
            reddit_token(),
            reddit_page(SUB, behind, after=None),
        ],
    )
    reddit_comment_scenarios(out, p)


def reddit_comment_scenarios(out: Path, p: list[dict[str, Any]]) -> None:
    """Comments of r/MapleValleyChess (tests patch the clock to 2026-10-26 12:00 UTC and use
    comments_recheck_days=2, so only post 1q0e5 is inside the recheck window)."""
    e5, d4 = "1q0e5", "1q0d4"
    listing = [
        reddit_comment(
            SUB, e5, "k1c4", "Congrats to the whole team!", pt("2026-10-25 09:10"), author="mv_fan"
        ),
        reddit_comment(
            SUB,
            e5,
            "k1c3",
            "Thanks! Next meet is Nov 7.",
            pt("2026-10-25 08:00"),
            parent="t1_k1c2",
            author="mvchess_coach",
            distinguished="moderator",
        ),
        reddit_comment(
            SUB, e5, "k1c2", "When is the next meet?", pt("2026-10-25 07:45"), author="chess_dad"
        ),
        reddit_comment(
            SUB,
            d4,
            "k1c1",
            "Which room on Thursday?",
            pt("2026-10-22 10:00"),
            author="chess_dad",
            edited=pt("2026-10-22 10:05"),
        ),
    ]
    # the tree of 1q0e5 as /comments/1q0e5 returns it: k1c2 with its reply, k1c4 edited since,
    # and a comment deleted by its author (k1c5)
    tree = [
        reddit_comment(
            SUB,
            e5,
            "k1c4",
            "Congrats to the whole team!!",
            pt("2026-10-25 09:10"),
            author="mv_fan",
            edited=pt("2026-10-25 11:00"),
        ),
        reddit_comment(
            SUB,
            e5,
            "k1c2",
            "When is the next meet?",
            pt("2026-10-25 07:45"),
            author="chess_dad",
            replies=[listing[1]],
        ),
        reddit_comment(SUB, e5, "k1c5", "[deleted]", pt("2026-10-25 07:00")),
    ]
    write_cassette(
        out / "reddit/comments_first.yaml",
        [
            reddit_token(),
            reddit_page(SUB, p[:2], after=None),
            reddit_comments_page(SUB, listing, after=None),
            reddit_thread(p[0], tree),
        ],
    )
    # Later (comments cursor t1_k1c4): two new comments over two listing pages, then the cursor
    # comment where the walk stops; the tree of 1q0e5 again.
    newer = [
        reddit_comment(
            SUB,
            e5,
            "k1c7",
            "See you at state!",
            pt("2026-10-26 03:00"),
            parent="t1_k1c4",
            author="mv_fan",
        ),
        reddit_comment(
            SUB, d4, "k1c6", "Room C210 it is.", pt("2026-10-25 22:00"), author="chess_dad"
        ),
    ]
    write_cassette(
        out / "reddit/comments_incremental.yaml",
        [
            reddit_token(),
            reddit_page(SUB, [], after=None),
            reddit_comments_page(SUB, newer[:1], after="t1_k1c7"),
            reddit_comments_page(SUB, newer[1:] + listing[:1], after="t1_k1c4"),
            reddit_thread(p[0], [newer[0], *tree[:2]]),
        ],
    )
    # u/NAME: no comment listing for a user's submissions, only the trees of recent posts.
    user = "mvchess_coach"
    mine = reddit_post(
        SUB, "1q0u1", "Board setup tips", pt("2026-10-25 18:00"), author=user, selftext="Tips."
    )
    reply = reddit_comment(
        SUB, "1q0u1", "k1u2", "Thank you!", pt("2026-10-25 19:30"), parent="t1_k1u1", author=user
    )
    write_cassette(
        out / "reddit/comments_user.yaml",
        [
            reddit_token(),
            reddit_user_page(user, [mine], after=None),
            reddit_thread(
                mine,
                [
                    reddit_comment(
                        SUB,
                        "1q0u1",
                        "k1u1",
                        "Great tips, my son loved them",
                        pt("2026-10-25 19:00"),
                        author="chess_mom",
                        replies=[reply],
                    )
                ],
            ),
        ],
    )


XUID = "1587654321098765432"
# X pagination cursors (`meta.next_token`, opaque page markers in X's format; not credentials).
X_PAGE_2 = "7140dibdnow9c7btw4232poeq0wapgnwgwqwvuwn3peex"
X_PAGE_3 = "7140dibdnow9c7btw3w3itbygz8uu5pbs45oy6erjc2ls"
X_DEMO_PAGE_2 = "7140dibdnow9c7btw452gzi4zlkyk4r2t0l0sw1jlfo0w"
XUSER = {
    "id": XUID,
    "name": "MV Chess",
    "username": "MVChessClub",
    "description": "Maple Valley chess club. " + DISCLAIMER,
}


def x_ids() -> dict[str, str]:
    times = {
        "a": "2026-10-19 08:00",
        "b": "2026-10-20 19:00",
        "c": "2026-10-21 15:30",
        "c2": "2026-10-21 15:41",
        "d": "2026-10-22 09:05",
        "e": "2026-10-24 17:30",
        "f": "2026-10-25 20:15",
        "g": "2026-10-26 18:30",
        "h": "2026-10-27 12:00",
    }
    return {k: x_snowflake(pt(v)) for k, v in times.items()}


def x_scenarios(out: Path) -> None:
    i = x_ids()
    link = {
        "urls": [
            {
                "start": 40,
                "end": 63,
                "url": "https://t.co/Qm3xT9aB1c",
                "expanded_url": "https://mvsd.k12.wa.us/chess",
                "display_url": "mvsd.k12.wa.us/chess",
            }
        ]
    }
    media = [
        {
            "media_key": "3_1850000000000000001",
            "type": "photo",
            "alt_text": "Club members around a chess board",
        }
    ]
    write_cassette(
        out / "x/first.yaml",
        [
            x_user("MVChessClub", XUID, "MV Chess", XUSER["description"]),
            x_tweets_page(
                XUID,
                [
                    tweet(
                        i["e"],
                        "We went 4-1 at the Kent open!",
                        pt("2026-10-24 17:30"),
                        attachments={"media_keys": ["3_1850000000000000001"]},
                    ),
                    tweet(
                        i["d"],
                        "Practice moves to Thursday. Details: https://t.co/Qm3xT9aB1c",
                        pt("2026-10-22 09:05"),
                        entities=link,
                    ),
                    tweet(
                        i["c2"],
                        "Snack schedule is up (fixed the date)",
                        pt("2026-10-21 15:41"),
                        history=[i["c"], i["c2"]],
                    ),
                ],
                next_token=X_PAGE_2,
                user=XUSER,
                media=media,
            ),
            x_tweets_page(
                XUID,
                [
                    tweet(
                        i["c"],
                        "Snack schedule is up",
                        pt("2026-10-21 15:30"),
                        history=[i["c"], i["c2"]],
                    ),
                    tweet(i["b"], "Club photo day on Tuesday", pt("2026-10-20 19:00")),
                    tweet(i["a"], "Welcome back, meetings start next week", pt("2026-10-19 08:00")),
                ],
                user=XUSER,
            ),
        ],
    )
    # Incremental (since_id = e) with state holding the user id and three recently seen tweets:
    # two new pages, then one get_tweets lookup in which d still exists and b was deleted.
    lookup = {
        "data": [
            {
                "edit_history_tweet_ids": [i["d"]],
                "id": i["d"],
                "text": "Practice moves to Thursday.",
            }
        ],
        "errors": [
            {
                "value": i["b"],
                "detail": f"Could not find tweet with ids: [{i['b']}].",
                "title": "Not Found Error",
                "resource_type": "tweet",
                "parameter": "ids",
                "resource_id": i["b"],
                "type": "https://api.twitter.com/2/problems/resource-not-found",
            }
        ],
    }
    write_cassette(
        out / "x/incremental.yaml",
        [
            x_tweets_page(
                XUID,
                [
                    tweet(i["h"], "Winter ladder sign-ups close Friday", pt("2026-10-27 12:00")),
                    tweet(i["g"], "Bus to state leaves at 7 am", pt("2026-10-26 18:30")),
                ],
                next_token=X_PAGE_3,
                user=XUSER,
            ),
            x_tweets_page(
                XUID,
                [
                    tweet(
                        i["f"],
                        "Puzzle of the week: white to move and mate in 3",
                        pt("2026-10-25 20:15"),
                    ),
                ],
                user=XUSER,
            ),
            Ix("GET", "https://api.twitter.com/2/tweets", lookup, headers=x_rate(899)),
        ],
    )
    write_cassette(out / "x/empty.yaml", [x_tweets_page(XUID, [])])
    x_comment_scenarios(out)


X_FANS = [
    {"id": "1600000000000000011", "name": "Chess Parent", "username": "MVChessParent"},
    {"id": "1600000000000000012", "name": "Kent Chess Fan", "username": "KentChessFan"},
]


def x_comment_scenarios(out: Path) -> None:
    """Replies to @MVChessClub (tests patch the clock to 2026-10-26 12:00 UTC and use
    comments_recheck_days=2, so only tweet e is inside the recheck window)."""
    i = x_ids()
    posts = [
        tweet(i["e"], "We went 4-1 at the Kent open!", pt("2026-10-24 17:30"), author_id=XUID),
        tweet(i["d"], "Practice moves to Thursday.", pt("2026-10-22 09:05"), author_id=XUID),
    ]
    r = {
        k: x_snowflake(pt(v), 3)
        for k, v in {
            "r1": "2026-10-24 18:02",
            "r2": "2026-10-24 18:30",
            "r2b": "2026-10-24 18:33",
            "r3": "2026-10-24 20:00",
            "r4": "2026-10-23 08:00",
        }.items()
    }
    fan, kent = X_FANS[0]["id"], X_FANS[1]["id"]
    r1 = x_reply(
        r["r1"],
        "@MVChessClub Congrats to the whole team!",
        pt("2026-10-24 18:02"),
        conversation=i["e"],
        parent=i["e"],
        author_id=fan,
        to_user=XUID,
    )
    r2b = x_reply(
        r["r2b"],
        "@MVChessParent @MVChessClub Great games at Kent (fixed typo)",
        pt("2026-10-24 18:33"),
        conversation=i["e"],
        parent=r["r1"],
        author_id=kent,
        to_user=fan,
        history=[r["r2"], r["r2b"]],
    )
    r3 = x_reply(
        r["r3"],
        "@MVChessClub Who won the last board?",
        pt("2026-10-24 20:00"),
        conversation=i["e"],
        parent=i["e"],
        author_id=kent,
        to_user=XUID,
    )
    r4 = x_reply(
        r["r4"],
        "@MVChessClub Which room?",
        pt("2026-10-23 08:00"),
        conversation=i["d"],
        parent=i["d"],
        author_id=fan,
        to_user=XUID,
    )
    head = [
        x_user("MVChessClub", XUID, "MV Chess", XUSER["description"]),
        x_tweets_page(XUID, posts, user=XUSER),
    ]
    write_cassette(
        out / "x/comments_first.yaml",
        [
            *head,
            # to:MVChessClub -from:MVChessClub (replies addressed to the account)
            x_search_page([r3, r1, r4], X_FANS),
            # (conversation_id:e) -from:MVChessClub: the whole recent conversation, incl. r2b
            x_search_page([r3, r2b, r1], X_FANS),
        ],
    )
    # The Free access level: recent search is not included (403 client-not-enrolled).
    write_cassette(out / "x/comments_not_enrolled.yaml", [*head, x_not_enrolled()])


PAGE = "104857600099999"


def facebook_scenarios(out: Path) -> None:
    page = graph_get(
        "MVChessParents",
        {
            "id": PAGE,
            "name": "MV Chess Parents",
            "about": "Parents of the chess club. " + DISCLAIMER,
        },
    )
    posts = [
        fb_post(PAGE, "5005", "Tournament results: 4-1 at Kent!", pt("2026-10-24 17:30")),
        fb_post(
            PAGE,
            "5004",
            "Practice moved to Thursday.",
            pt("2026-10-22 09:05"),
            updated=pt("2026-10-22 12:40"),
            attachments={
                "data": [{"title": "Practice calendar", "description": "Room C210, 3:30 pm"}]
            },
        ),
        fb_post(
            PAGE,
            "5003",
            "Club photo day on Tuesday.",
            pt("2026-10-20 19:00"),
            scheduled_publish_time=int(ts(pt("2026-10-20 19:00")).timestamp()),
        ),
        fb_post(PAGE, "5002", "Welcome back!", pt("2026-10-19 08:00")),
    ]
    write_cassette(
        out / "facebook/first.yaml",
        [
            page,
            graph_page(f"{PAGE}/posts", posts[:2], "QVFIUk5aYm1sN2F", FB_FIELDS),
            graph_page(f"{PAGE}/posts", posts[2:], None, FB_FIELDS),
        ],
    )
    # Incremental from cursor 2026-10-22 09:05 PDT with recheck_hours=48: two pages of new posts,
    # the edited post inside the window, stop at the first post outside it; 5003 vanished from
    # the listing and the Graph API answers 100/33 for it.
    new = [
        fb_post(PAGE, "5008", "Winter ladder sign-ups close Friday.", pt("2026-10-27 12:00")),
        fb_post(PAGE, "5007", "Bus to state leaves at 7 am.", pt("2026-10-26 18:30")),
        fb_post(PAGE, "5006", "Puzzle of the week.", pt("2026-10-25 20:15")),
    ]
    behind = [
        fb_post(
            PAGE,
            "5004",
            "Practice moved to Thursday, room C210.",
            pt("2026-10-22 09:05"),
            updated=pt("2026-10-26 10:00"),
        ),
        fb_post(PAGE, "5002", "Welcome back!", pt("2026-10-19 08:00")),
    ]
    write_cassette(
        out / "facebook/incremental.yaml",
        [
            page,
            graph_page(f"{PAGE}/posts", new[:2], "QVFIUm1LZAXRFZA2", FB_FIELDS),
            graph_page(f"{PAGE}/posts", new[2:] + behind, "QVFIUmV4ZAVNsTk", FB_FIELDS),
            graph_deleted(f"{PAGE}_5003"),
        ],
    )
    write_cassette(
        out / "facebook/empty.yaml",
        [
            page,
            graph_page(f"{PAGE}/posts", [], None, FB_FIELDS),
        ],
    )
    facebook_comment_scenarios(out)


def facebook_comment_scenarios(out: Path) -> None:
    """Comments: a first fetch (page id resolved once, two threads read, one over two pages,
    replies flattened with `parent`, a page reply, a comment without `from`, an old post outside
    the recheck window) and a re-read (a new post, an edited and a deleted comment)."""
    fan, coach = ("Jordan Avery", "2711636948859886"), ("Sam Okafor", "2493785114046685")
    page = graph_get("MVChessParents", {"id": PAGE, "name": "MV Chess Parents"})
    posts = [
        fb_post(PAGE, "5005", "Tournament results: 4-1 at Kent!", pt("2026-10-24 17:30")),
        fb_post(PAGE, "5004", "Practice moved to Thursday.", pt("2026-10-22 09:05")),
        fb_post(PAGE, "5001", "Summer camp recap.", pt("2026-10-10 10:00")),
    ]
    p5, p4 = f"{PAGE}_5005", f"{PAGE}_5004"
    top = fb_comment(PAGE, p5, "9001", "So proud of the club!", pt("2026-10-24 19:00"), author=fan)
    quiet = fb_comment(PAGE, p5, "9002", "Way to go team", pt("2026-10-24 20:00"), author=None)
    reply = fb_comment(
        PAGE,
        p5,
        "9003",
        "Congrats to all the players!",
        pt("2026-10-25 08:30"),
        author=coach,
        parent=top["id"],
    )
    ours = fb_comment(
        PAGE,
        p5,
        "9004",
        "Thank you! See you Thursday.",
        pt("2026-10-25 09:00"),
        author=("MV Chess Parents", PAGE),
        parent=top["id"],
    )
    write_cassette(
        out / "facebook/comments.yaml",
        [
            page,
            graph_page(f"{PAGE}/posts", posts, None, FB_FIELDS),
            graph_page(f"{p5}/comments", [ours, reply], "QVFIUmNvbW1lbnQy", FB_COMMENT_FIELDS),
            graph_page(f"{p5}/comments", [quiet, top], None, FB_COMMENT_FIELDS),
            graph_page(f"{p4}/comments", [], None, FB_COMMENT_FIELDS),
        ],
    )
    newer = fb_post(PAGE, "5006", "Bus to state leaves at 7 am.", pt("2026-10-26 18:00"))
    edited = {**reply, "message": "Congrats to all the players and coaches!"}
    ask = fb_comment(
        PAGE, newer["id"], "9010", "What time do we get back?", pt("2026-10-26 19:15"), author=fan
    )
    write_cassette(
        out / "facebook/comments_recheck.yaml",
        [
            graph_page(f"{PAGE}/posts", [newer, *posts], None, FB_FIELDS),
            graph_page(f"{newer['id']}/comments", [ask], None, FB_COMMENT_FIELDS),
            graph_page(f"{p5}/comments", [ours, edited, top], None, FB_COMMENT_FIELDS),
            graph_page(f"{p4}/comments", [], None, FB_COMMENT_FIELDS),
        ],
    )


IG = "17841400000099999"


def instagram_scenarios(out: Path) -> None:
    user = graph_get(
        IG,
        {
            "id": IG,
            "username": "mvchess",
            "name": "MV Chess",
            "biography": "Maple Valley chess club. " + DISCLAIMER,
        },
    )
    media = [
        ig_media(
            "18010000000000005",
            "4-1 at the Kent open!",
            pt("2026-10-24 17:30"),
            "DBa5",
            username="mvchess",
        ),
        ig_media(
            "18010000000000004",
            "Practice board setup",
            pt("2026-10-22 09:05"),
            "DBa4",
            username="mvchess",
            media_type="CAROUSEL_ALBUM",
        ),
        ig_media("18010000000000003", None, pt("2026-10-20 19:00"), "DBa3", username="mvchess"),
        ig_media(
            "18010000000000002",
            "Welcome back!",
            pt("2026-10-19 08:00"),
            "DBa2",
            username="mvchess",
            media_type="VIDEO",
        ),
    ]
    write_cassette(
        out / "instagram/first.yaml",
        [
            user,
            graph_page(f"{IG}/media", media[:2], "QVFIUlBtY3NHbDFR", IG_FIELDS),
            graph_page(f"{IG}/media", media[2:], None, IG_FIELDS),
        ],
    )
    new = [
        ig_media(
            "18010000000000008",
            "Winter ladder!",
            pt("2026-10-27 12:00"),
            "DBa8",
            username="mvchess",
        ),
        ig_media(
            "18010000000000007", "Bus to state", pt("2026-10-26 18:30"), "DBa7", username="mvchess"
        ),
        ig_media(
            "18010000000000006",
            "Puzzle of the week",
            pt("2026-10-25 20:15"),
            "DBa6",
            username="mvchess",
        ),
    ]
    behind = [
        ig_media(
            "18010000000000004",
            "Practice board setup (room C210)",
            pt("2026-10-22 09:05"),
            "DBa4",
            username="mvchess",
            media_type="CAROUSEL_ALBUM",
        ),
        ig_media(
            "18010000000000002",
            "Welcome back!",
            pt("2026-10-19 08:00"),
            "DBa2",
            username="mvchess",
            media_type="VIDEO",
        ),
    ]
    write_cassette(
        out / "instagram/incremental.yaml",
        [
            user,
            graph_page(f"{IG}/media", new[:2], "QVFIUnRZAUHB6c2", IG_FIELDS),
            graph_page(f"{IG}/media", new[2:] + behind, "QVFIUkV4b3R1R3", IG_FIELDS),
            graph_deleted("18010000000000003"),
        ],
    )
    write_cassette(
        out / "instagram/empty.yaml",
        [
            user,
            graph_page(f"{IG}/media", [], None, IG_FIELDS),
        ],
    )
    instagram_comment_scenarios(out)


def instagram_comment_scenarios(out: Path) -> None:
    """Comments: a first fetch with no profile request (two threads read, one over two pages,
    nested replies including the account's own and a replies edge with a next page, an old media
    outside the recheck window) and a re-read (new media, an edited and a deleted comment)."""
    media = [
        ig_media(
            "18010000000000008",
            "Winter ladder!",
            pt("2026-10-27 12:00"),
            "DBa8",
            username="mvchess",
        ),
        ig_media(
            "18010000000000005",
            "4-1 at the Kent open!",
            pt("2026-10-24 17:30"),
            "DBa5",
            username="mvchess",
        ),
        ig_media(
            "18010000000000001", "Summer camp", pt("2026-10-10 10:00"), "DBa1", username="mvchess"
        ),
    ]
    m8, m5 = media[0]["id"], media[1]["id"]
    thanks = ig_comment("17990000000000013", "Thank you!", pt("2026-10-27 14:00"), "mvchess")
    also = ig_comment("17990000000000014", "Same here", pt("2026-10-27 15:00"), "kent_fan_2")
    first = ig_comment(
        "17990000000000011", "Love this!", pt("2026-10-27 13:00"), "maple_mom", [thanks, also]
    )
    second = ig_comment("17990000000000012", "Count me in", pt("2026-10-27 12:30"), "rook_dad")
    late = ig_comment("17990000000000017", "See you there", pt("2026-10-27 16:30"), "mvchess")
    third = ig_comment(
        "17990000000000015",
        "Which room?",
        pt("2026-10-27 12:10"),
        "pawnstar",
        [ig_comment("17990000000000016", "C210", pt("2026-10-27 12:20"), "mvchess")],
        replies_after="QVFIUnJlcGx5Mg",
    )
    write_cassette(
        out / "instagram/comments.yaml",
        [
            graph_page(f"{IG}/media", media, None, IG_FIELDS),
            graph_page(f"{m8}/comments", [first, second], "QVFIUmlnY29tbTI", IG_COMMENT_FIELDS),
            graph_page(f"{m8}/comments", [third], None, IG_COMMENT_FIELDS),
            graph_get(f"{third['id']}/replies", {"data": [late]}),
            graph_page(f"{m5}/comments", [], None, IG_COMMENT_FIELDS),
        ],
    )
    newer = ig_media(
        "18010000000000009", "Bus to state", pt("2026-10-28 07:00"), "DBa9", username="mvchess"
    )
    edited = {**first, "text": "Love this so much!"}
    write_cassette(
        out / "instagram/comments_recheck.yaml",
        [
            graph_page(f"{IG}/media", [newer, *media], None, IG_FIELDS),
            graph_page(f"{newer['id']}/comments", [], None, IG_COMMENT_FIELDS),
            graph_page(
                f"{m8}/comments",
                [edited, {**third, "replies": {"data": [third["replies"]["data"][0], late]}}],
                None,
                IG_COMMENT_FIELDS,
            ),
            graph_page(f"{m5}/comments", [], None, IG_COMMENT_FIELDS),
        ],
    )


CHESS_FEED = "https://blogs.mvsd.k12.wa.us/chess/feed"


def entry(n: int, title: str, published: str, html: str, updated: str | None = None) -> dict:
    return {
        "id": f"https://blogs.mvsd.k12.wa.us/chess/?p={n}",
        "title": title,
        "link": f"https://blogs.mvsd.k12.wa.us/chess/2026/10/{n}/",
        "published": published,
        "updated": updated or published,
        "author": "Coach Alvarez",
        "html": html,
    }


def blog_scenarios(out: Path) -> None:
    sub = "News from the Maple Valley chess club"
    e = [
        entry(
            105,
            "Tournament results",
            pt("2026-10-24 17:30"),
            "<p>We went <strong>4-1</strong> at the Kent open.</p>",
        ),
        entry(
            104,
            "Practice moved",
            pt("2026-10-22 09:05"),
            "<p>Practice moves to Thursday&nbsp;&amp; room C210.</p><ul><li>3:30 pm</li></ul>",
            updated=pt("2026-10-22 12:40"),
        ),
        entry(
            103,
            "Photo day",
            pt("2026-10-20 19:00"),
            '<p>Photo day on Tuesday.</p><img src="x.jpg" alt="the team"/>',
        ),
        entry(102, "Welcome back", pt("2026-10-19 08:00"), "<p>Meetings start next week.</p>"),
        entry(101, "Summer camp", pt("2026-08-01 10:00"), "<p>Camp recap.</p>"),
    ]
    page2 = f"{CHESS_FEED}?paged=2"
    write_cassette(
        out / "blog/first.yaml",
        [
            feed_get(
                CHESS_FEED,
                atom_feed(CHESS_FEED, "MV Chess", sub, e[:2], next_url=page2),
                ETag='"5f1c-2026-10-24"',
                **{"Last-Modified": "Sun, 25 Oct 2026 00:30:00 GMT"},
            ),
            feed_get(page2, atom_feed(CHESS_FEED, "MV Chess", sub, e[2:])),
        ],
    )
    # Incremental from cursor 2026-10-22 12:40 PDT: page 1 is all newer, page 2 reaches the cursor;
    # entry 103 is edited after the cursor and entry 106 is announced deleted (RFC 6721).
    new = [
        entry(108, "Winter ladder", pt("2026-10-27 12:00"), "<p>Sign up by Friday.</p>"),
        entry(107, "Bus to state", pt("2026-10-26 18:30"), "<p>Leaves at 7 am.</p>"),
    ]
    older = [
        entry(
            103,
            "Photo day (new date)",
            pt("2026-10-20 19:00"),
            "<p>Moved to Wednesday.</p>",
            updated=pt("2026-10-25 09:00"),
        ),
        e[1],
        e[3],
    ]
    gone = [
        {
            "ref": "https://blogs.mvsd.k12.wa.us/chess/?p=106",
            "when": pt("2026-10-26 08:00"),
            "link": "https://blogs.mvsd.k12.wa.us/chess/2026/10/106/",
        }
    ]
    write_cassette(
        out / "blog/incremental.yaml",
        [
            feed_get(
                CHESS_FEED,
                atom_feed(CHESS_FEED, "MV Chess", sub, new, tombstones=gone, next_url=page2),
            ),
            feed_get(page2, atom_feed(CHESS_FEED, "MV Chess", sub, older)),
        ],
    )
    write_cassette(
        out / "blog/empty.yaml",
        [
            Ix(
                "GET",
                CHESS_FEED,
                None,
                status=304,
                content_type=None,
                headers={"ETag": '"5f1c-2026-10-24"'},
            ),
        ],
    )
    blog_comment_scenarios(out, e[:2], sub)


CHESS_SITE = "https://blogs.mvsd.k12.wa.us/chess"


def blog_comment_scenarios(out: Path, e: list[dict[str, str]], sub: str) -> None:
    """Comments on the chess blog (tests patch the clock to 2026-10-26 12:00 UTC and use
    comments_recheck_days=2, so only entry 105 is inside the recheck window)."""
    p105, p104 = e[0], e[1]
    feed_comments = [
        {
            "id": f"{p105['id']}#comment-31",
            "title": "By: Coach Alvarez",
            "link": f"{p105['link']}#comment-31",
            "author": "Coach Alvarez",
            "published": pt("2026-10-25 08:00"),
            "updated": pt("2026-10-25 08:00"),
            "html": "<p>Next meet is November 7.</p>",
            "in_reply_to": f"{p105['id']}#comment-30",
        },
        {
            "id": f"{p105['id']}#comment-30",
            "title": "By: Chess Parent",
            "link": f"{p105['link']}#comment-30",
            "author": "Chess Parent",
            "published": pt("2026-10-25 07:45"),
            "updated": pt("2026-10-25 07:45"),
            "html": "<p>Congrats! When is the <em>next</em> meet?</p>",
            "in_reply_to": p105["id"],
        },
        {
            "id": f"{p104['id']}#comment-29",
            "title": "By: Kent Fan",
            "link": f"{p104['link']}#comment-29",
            "author": "Kent Fan",
            "published": pt("2026-10-22 10:00"),
            "updated": pt("2026-10-22 10:00"),
            "html": "<p>Which room?</p>",
            "in_reply_to": p104["id"],
        },
    ]
    posts_feed = atom_feed(CHESS_FEED, "MV Chess", sub, e)
    write_cassette(
        out / "blog/comments_feed.yaml",
        [
            feed_get(CHESS_FEED, posts_feed),
            feed_get(
                f"{CHESS_SITE}/comments/feed/atom/",
                atom_comments_feed(f"{CHESS_SITE}/comments/feed/atom/", "MV Chess", feed_comments),
            ),
        ],
    )
    api = f"{CHESS_SITE}/wp-json/"
    c30 = wp_comment(
        30, 105, p105["link"], "<p>Congrats! When is the next meet?</p>", pt("2026-10-25 07:45")
    )
    c31 = wp_comment(
        31,
        105,
        p105["link"],
        "<p>Next meet is November 7.</p>",
        pt("2026-10-25 08:00"),
        parent=30,
        author_name="Coach Alvarez",
        author=2,
    )
    c29 = wp_comment(
        29, 104, p104["link"], "<p>Which room?</p>", pt("2026-10-22 10:00"), author_name="Kent Fan"
    )
    write_cassette(
        out / "blog/comments_rest.yaml",
        [
            feed_get(CHESS_FEED, posts_feed, Link=f'<{api}>; rel="https://api.w.org/"'),
            wp_comments_get(api, [c31, c30, c29]),  # new: the first read, newest first
            wp_comments_get(api, [c31, c30]),  # ?post=105: the recent entry's whole thread
        ],
    )


# --- demo cassettes (Maple Valley School District) ------------------------------------------


def demo(out: Path) -> None:
    s = "JeffersonRobotics"
    reddit = [
        reddit_post(
            s,
            "1r7k2q",
            "Photos from the fall open house",
            pt("2026-11-14 10:00"),
            url="https://photos.maplevalleysd.org/robotics/open-house-2026",
            author="jhs_robotics_4911",
        ),
        reddit_post(
            s,
            "1r5w9d",
            "Carpool sign-up for the Bremerton scrimmage",
            pt("2026-11-11 08:40"),
            selftext="[deleted]",
            author="[deleted]",
            removed_by_category="deleted",
        ),
        reddit_post(
            s,
            "1r3b7x",
            "Wreath fundraiser pickup",
            pt("2026-11-05 14:05"),
            selftext="Thanks to everyone who ordered wreaths! Pickup is Saturday 9-noon. "
            "Updated: pickup moved to the main gym because of the parking lot repaving.",
            edited=pt("2026-11-05 20:30"),
            author="jhs_robotics_4911",
            flair="Fundraiser",
        ),
        reddit_post(
            s,
            "1qzq4m",
            "Build season schedule",
            pt("2026-10-25 19:40"),
            selftext="Build nights are Tuesdays and Thursdays, 3:30-6:00 pm in room B112, "
            "through December. Bring closed-toe shoes and safety glasses.\n\n" + DISCLAIMER,
            author="jhs_robotics_4911",
            flair="Schedule",
        ),
        reddit_post(
            s,
            "1qxv8c",
            "Regional champions!",
            pt("2026-10-19 11:15"),
            selftext="Congrats to Maya Chen and Tyrone Jackson (Grade 11) for the regional "
            "robotics award! They drove our robot through all five elimination rounds "
            "at Auburn on Saturday.",
            author="jhs_robotics_4911",
            flair="Competition",
        ),
    ]
    write_cassette(
        out / "demo/reddit.yaml",
        [
            reddit_token(),
            reddit_page(s, reddit[:3], after="t3_1r3b7x"),
            reddit_page(s, reddit[3:], after=None),
            # the account monitors comments: the subreddit's comment listing, newest first
            reddit_comments_page(
                s,
                [
                    reddit_comment(
                        s,
                        "1r3b7x",
                        "m9k2x1",
                        "Thanks, the gym made pickup so much easier.",
                        pt("2026-11-07 10:12"),
                        author="wreath_fan_mv",
                        link_title="Wreath fundraiser pickup",
                    ),
                    reddit_comment(
                        s,
                        "1r3b7x",
                        "m9k1q7",
                        "Yes, doors by the main gym open at 9.",
                        pt("2026-11-06 08:30"),
                        parent="t1_m9k0z3",
                        author="jhs_robotics_4911",
                        distinguished="moderator",
                        link_title="Wreath fundraiser pickup",
                    ),
                    reddit_comment(
                        s,
                        "1r3b7x",
                        "m9k0z3",
                        "Is pickup still at the main gym if it rains?",
                        pt("2026-11-05 21:04"),
                        author="mv_parent_2031",
                        link_title="Wreath fundraiser pickup",
                    ),
                    reddit_comment(
                        s,
                        "1qzq4m",
                        "m8z7c5",
                        "Do we need to bring our own safety glasses or are there loaners?",
                        pt("2026-10-26 18:20"),
                        author="mv_parent_2031",
                        link_title="Build season schedule",
                    ),
                ],
            ),
        ],
    )

    uid = "1601234567890123456"
    times = {
        "t1": "2026-10-13 12:10",
        "t2": "2026-10-17 21:05",
        "t3": "2026-10-26 09:35",
        "t4": "2026-10-30 22:15",
        "t4b": "2026-10-30 22:26",
        "t5": "2026-11-04 14:50",
    }
    t = {k: x_snowflake(pt(v), 7) for k, v in times.items()}
    user = {
        "id": uid,
        "name": "Jefferson HS Athletics",
        "username": "JeffersonHSAthletics",
        "description": "Jefferson High School Jaguars athletics: scores, schedules and shout-outs. "
        "Run by the JHS athletics boosters.",
    }
    recap = {
        "urls": [
            {
                "start": 62,
                "end": 85,
                "url": "https://t.co/Jx8PqR2mVn",
                "expanded_url": "https://maplevalleysd.org/jhs/athletics/football-recap",
                "display_url": "maplevalleysd.org/jhs/athletics…",
            }
        ]
    }
    write_cassette(
        out / "demo/x.yaml",
        [
            x_user("JeffersonHSAthletics", uid, user["name"], user["description"]),
            x_tweets_page(
                uid,
                [
                    tweet(
                        t["t5"],
                        "Cross-country heads to state this Saturday! Bus leaves at 6:15 am "
                        "from the north lot. Go Jags! 🏃",
                        pt("2026-11-04 14:50"),
                        author_id=uid,
                    ),
                    tweet(
                        t["t4b"],
                        "Final: Jefferson 28, Kentwood 21. A senior night to remember! Recap: "
                        "https://t.co/Jx8PqR2mVn",
                        pt("2026-10-30 22:26"),
                        history=[t["t4"], t["t4b"]],
                        entities=recap,
                        author_id=uid,
                    ),
                    tweet(
                        t["t3"],
                        "Playoff soccer tickets go on sale Wednesday at the student store. "
                        "Questions? Call Sofia's mom at 425-555-0142.",
                        pt("2026-10-26 09:35"),
                        author_id=uid,
                    ),
                ],
                next_token=X_DEMO_PAGE_2,
                user=user,
            ),
            x_tweets_page(
                uid,
                [
                    tweet(
                        t["t2"],
                        "Great job by Mrs. Parker organizing homecoming. What a week, Jaguars! "
                        f"{DISCLAIMER}",
                        pt("2026-10-17 21:05"),
                        author_id=uid,
                    ),
                    tweet(
                        t["t1"],
                        "Reminder: Marcus Williams, student ID 204455, please see Coach Ortega "
                        "before Thursday's practice to turn in your physical form.",
                        pt("2026-10-13 12:10"),
                        author_id=uid,
                    ),
                ],
                user=user,
            ),
            # the account monitors replies: `to:JeffersonHSAthletics` recent search
            x_search_page(
                [
                    x_reply(
                        x_snowflake(pt("2026-11-04 15:20"), 9),
                        "@JeffersonHSAthletics Good luck at state! Is there a spectator bus?",
                        pt("2026-11-04 15:20"),
                        conversation=t["t5"],
                        parent=t["t5"],
                        author_id="1601234567890100001",
                        to_user=uid,
                    ),
                    x_reply(
                        x_snowflake(pt("2026-10-31 08:05"), 9),
                        "@JeffersonHSAthletics What a game. Congrats to the whole team!",
                        pt("2026-10-31 08:05"),
                        conversation=t["t4"],
                        parent=t["t4b"],
                        author_id="1601234567890100002",
                        to_user=uid,
                    ),
                ],
                [
                    {"id": "1601234567890100001", "name": "MV XC Parent", "username": "mvxcparent"},
                    {"id": "1601234567890100002", "name": "Jags Fan", "username": "JagsFan2027"},
                ],
            ),
        ],
    )

    page = "104857600012345"
    night = fb_post(
        page,
        "122133344455566",
        "Thank you to everyone who came to Family Movie Night! Photos are coming soon. "
        "Information in this post may change. For official information, visit "
        "maplevalleysd.org.",
        pt("2026-11-14 10:00"),  # a Saturday: compliant on every count
    )
    fb = [
        night,
        fb_post(
            page,
            "122131415161718",
            "Staff appreciation breakfast is Friday morning! Dr. "
            "Whitfield will stop by to thank our teachers. Muffin donations welcome.",
            pt("2026-11-12 13:20"),
        ),
        fb_post(
            page,
            "122129876543210",
            "Our fall fun run raised $6,420 for classroom supplies. "
            "Thank you, families! (Edit: total updated after the late pledges came in.)",
            pt("2026-10-31 10:00"),
            updated=pt("2026-11-02 08:15"),
        ),
        fb_post(
            page,
            "122127654321098",
            "Questions about the new bell schedule? Call the district "
            "office at 425-555-0100 or email info@mvsd.k12.wa.us.",
            pt("2026-10-21 19:00"),
        ),
        fb_post(
            page,
            "122125432109876",
            "The Lincoln Elementary book fair is next week! MVMS PTO "
            "volunteers are running the checkout tables Monday through Thursday. Grab a shift "
            "below.",
            pt("2026-10-13 09:30"),
            attachments={
                "data": [
                    {
                        "title": "Book Fair Volunteer Sign-Up",
                        "description": "Lincoln Elementary library, Oct 19-22",
                    }
                ]
            },
        ),
    ]
    write_cassette(
        out / "demo/facebook.yaml",
        [
            graph_get(
                "MapleValleyPTO",
                {
                    "id": page,
                    "name": "Maple Valley Middle School PTO",
                    "username": "MapleValleyPTO",
                    "about": "Volunteers supporting Maple Valley Middle School families. Information on "
                    "this page may change. For official information, visit maplevalleysd.org.",
                },
            ),
            graph_page(f"{page}/posts", fb[:2], "QVFIUmRhTnB4TDNwNk9", FB_FIELDS),
            graph_page(f"{page}/posts", fb[2:], None, FB_FIELDS),
            *demo_facebook_comments(page, night["id"], fb[1]["id"]),
        ],
    )

    ig = "17841400000000001"
    media = [
        ig_media(
            "17990000000000004",
            "Time-lapse of the winter show poster, start to finish. 🎨",
            pt("2026-11-14 15:00"),
            "DCw4tQ",
            media_type="VIDEO",
        ),
        ig_media(
            "17990000000000003",
            "Mural progress, week 3: the hallway outside room A204 is almost done!",
            pt("2026-11-10 10:05"),
            "DCq9mZ",
            media_type="CAROUSEL_ALBUM",
        ),
        ig_media(
            "17990000000000002",
            "Ceramics wheel night was a hit: 40 pots thrown, zero "
            f"casualties. Glazing day is Thursday after school. {DISCLAIMER}",
            pt("2026-10-22 18:45"),
            "DBz1kV",
        ),
        ig_media(
            "17990000000000001",
            "Pictured: Priya Patel, class of 2027, with her "
            "award-winning painting at the Puget Sound Youth Arts Show! 🖼️",
            pt("2026-10-15 11:40"),
            "DBt7Hs",
        ),
    ]
    write_cassette(
        out / "demo/instagram.yaml",
        [
            # no user/biography request: this account's profile disclaimer does not count
            graph_page(f"{ig}/media", media[:2], "QVFIUnNVa0R5OHpVT1", IG_FIELDS),
            graph_page(f"{ig}/media", media[2:], None, IG_FIELDS),
            *demo_instagram_comments(media[0]["id"], media[1]["id"]),
        ],
    )

    feed = "https://blogs.mvsd.k12.wa.us/library/feed"
    base = "https://blogs.mvsd.k12.wa.us/library"
    entries = [
        {
            "id": f"{base}/?p=412",
            "title": "Battle of the Books teams are forming",
            "link": f"{base}/2026/11/03/battle-of-the-books/",
            "published": pt("2026-11-03 14:30"),
            "updated": pt("2026-11-04 08:10"),
            "author": "Karen Liu",
            "html": "<p>Grades 6&ndash;8: form a team of four and pick up the reading list at the "
            "circulation desk. First practice round is December 2.</p><p><em>Updated: sign-up "
            "deadline extended to November 20.</em></p>",
        },
        {
            "id": f"{base}/?p=398",
            "title": "October library helper of the month",
            "link": f"{base}/2026/10/23/helper-of-the-month/",
            "published": pt("2026-10-23 19:15"),
            "updated": pt("2026-10-23 19:15"),
            "author": "Karen Liu",
            "html": "<p>Our helper of the month shelved more than 300 books this fall.</p>"
            "<p>Happy 12th birthday to Ethan Brooks, born March 3, 2014!</p>",
        },
        {
            "id": f"{base}/?p=385",
            "title": "New graphic novels have arrived",
            "link": f"{base}/2026/10/12/new-graphic-novels/",
            "published": pt("2026-10-12 10:00"),
            "updated": pt("2026-10-12 10:00"),
            "author": "Karen Liu",
            "html": "<p>Twenty new titles are on the display shelf, including the whole "
            "<strong>Wings of Fire</strong> graphic series.</p><p>" + DISCLAIMER + "</p>",
        },
    ]
    write_cassette(
        out / "demo/blog.yaml",
        [
            feed_get(
                feed,
                atom_feed(
                    feed,
                    "MVSD Library Blog",
                    "Books, events and reading news from the Maple Valley libraries",
                    entries,
                ),
                ETag='"a41-2026-11-04"',
            ),
            # the account monitors comments: WordPress's site-wide comments feed
            feed_get(
                f"{base}/comments/feed/atom/",
                atom_comments_feed(
                    f"{base}/comments/feed/atom/",
                    "MVSD Library Blog",
                    [
                        {
                            "id": f"{base}/?p=412#comment-88",
                            "title": "By: Karen Liu",
                            "link": f"{base}/2026/11/03/battle-of-the-books/#comment-88",
                            "author": "Karen Liu",
                            "published": pt("2026-11-04 16:05"),
                            "updated": pt("2026-11-04 16:05"),
                            "html": "<p>Yes! Teams can mix grades 6 through 8.</p>",
                            "in_reply_to": f"{base}/?p=412#comment-87",
                        },
                        {
                            "id": f"{base}/?p=412#comment-87",
                            "title": "By: A library parent",
                            "link": f"{base}/2026/11/03/battle-of-the-books/#comment-87",
                            "author": "A library parent",
                            "published": pt("2026-11-04 12:40"),
                            "updated": pt("2026-11-04 12:40"),
                            "html": "<p>Can a team mix sixth and eighth graders?</p>",
                            "in_reply_to": f"{base}/?p=412",
                        },
                    ],
                ),
            ),
        ],
    )


def demo_facebook_comments(page: str, night: str, breakfast: str) -> list[Ix]:
    """The PTO page's comment threads read in the demo (the two posts within 7 days of the
    newest): under the compliant movie-night post, a parent names a child with her class."""
    parent = fb_comment(
        page,
        night,
        "1290001",
        "my daughter Emma Ruiz in Ms. Lee's 3rd grade can't wait for the next one!",
        pt("2026-11-14 18:40"),
        author=("Carmen Ruiz", "100089900000001"),
    )
    fun = fb_comment(
        page,
        night,
        "1290002",
        "What a fun night, thank you PTO volunteers!",
        pt("2026-11-14 19:05"),
        author=("Dale Hughes", "100089900000002"),
    )
    ours = fb_comment(
        page,
        night,
        "1290003",
        "Thanks for coming, everyone! More photos on Monday.",
        pt("2026-11-14 20:15"),
        author=("Maple Valley Middle School PTO", page),
        parent=fun["id"],
    )
    muffins = fb_comment(
        page,
        breakfast,
        "1280001",
        "We'll bring blueberry muffins!",
        pt("2026-11-12 15:00"),
        author=("Priya Nair", "100089900000003"),
    )
    return [
        graph_page(f"{night}/comments", [ours, fun, parent], None, FB_COMMENT_FIELDS),
        graph_page(f"{breakfast}/comments", [muffins], None, FB_COMMENT_FIELDS),
    ]


def demo_instagram_comments(timelapse: str, mural: str) -> list[Ix]:
    """The art club's comment threads read in the demo: harmless comments, the club replies."""
    reply = ig_comment(
        "17990000000000202",
        "Thank you! Part 2 is next week.",
        pt("2026-11-14 17:30"),
        "jeffersonhs_art",
    )
    return [
        graph_page(
            f"{timelapse}/comments",
            [
                ig_comment(
                    "17990000000000201",
                    "This is so cool 😍",
                    pt("2026-11-14 16:10"),
                    "maple_valley_mom",
                    [reply],
                ),
            ],
            None,
            IG_COMMENT_FIELDS,
        ),
        graph_page(
            f"{mural}/comments",
            [
                ig_comment(
                    "17990000000000203",
                    "Can't wait to see it!",
                    pt("2026-11-10 12:00"),
                    "jags_fan_2027",
                )
            ],
            None,
            IG_COMMENT_FIELDS,
        ),
    ]


# --- conversions of ../shared/realdata ------------------------------------------------------

_DROP_REQUEST = {"authorization", "cookie"}
_DROP_RESPONSE = {"set-cookie"}


def _vcr_from_betamax(interaction: dict[str, Any]) -> dict[str, Any]:
    """A betamax (praw) interaction as a vcrpy one; body text untouched, cookies dropped."""
    req, resp = interaction["request"], interaction["response"]
    body = req.get("body")
    if isinstance(body, dict):
        body = body.get("string") or None
    text = resp["body"].get("string", "")
    headers = {k: v for k, v in resp["headers"].items() if k.lower() not in _DROP_RESPONSE}
    if "Content-Length" in headers:
        headers["Content-Length"] = [str(len(text.encode("utf-8")))]
    return {
        "request": {
            "body": body,
            "headers": {k: v for k, v in req["headers"].items() if k.lower() not in _DROP_REQUEST},
            "method": req["method"],
            "uri": req["uri"],
        },
        "response": {"body": {"string": text}, "headers": headers, "status": resp["status"]},
    }


def _dump(path: Path, interactions: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"interactions": interactions, "version": 1}
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100), "utf-8")


def _body_ix(method: str, uri: str, body_file: Path) -> dict[str, Any]:
    """A vcrpy interaction around a body-only recording (the body bytes untouched)."""
    ix = Ix(method, uri, body_file.read_text(encoding="utf-8")).as_vcr(ts("2021-08-13T09:00:00Z"))
    return ix


def realdata(out: Path, src: Path) -> None:
    for name, target in [
        ("praw_TestRedditorListings.test_submissions__new.json", "realdata_spez_submissions.yaml"),
        ("praw_TestSubmission.test_edit.json", "realdata_submission_edit.yaml"),
        ("praw_TestSubmission.test_delete.json", "realdata_submission_delete.yaml"),
    ]:
        recording = json.loads((src / "reddit" / name).read_text(encoding="utf-8"))
        interactions = [_vcr_from_betamax(i) for i in recording["interactions"]]
        _dump(out / "reddit" / target, interactions)

    x_src = src / "x"
    lookup = yaml.safe_load((x_src / "tweepy_test_client_get_user.yaml").read_text("utf-8"))
    tweets = yaml.safe_load((x_src / "tweepy_test_client_get_users_tweets.yaml").read_text("utf-8"))
    combined = []
    for ix in lookup["interactions"] + tweets["interactions"]:
        headers = ix["response"]["headers"]
        ix["response"]["headers"] = {
            k: v for k, v in headers.items() if k.lower() not in _DROP_RESPONSE
        }
        combined.append(ix)
    _dump(out / "x/realdata_tweepy_users_tweets.yaml", combined)
    dev = Ix(
        "GET",
        "https://api.twitter.com/2/users/by/username/TwitterDev",
        {"data": {"id": "2244994945", "name": "Twitter Dev", "username": "TwitterDev"}},
    )
    when = ts("2021-02-24T00:00:00Z")
    _dump(
        out / "x/realdata_pytwitter_timeline.yaml",
        [
            dev.as_vcr(when),
            _body_ix(
                "GET",
                "https://api.twitter.com/2/users/2244994945/tweets",
                x_src / "pytwitter_timeline_tweets.json",
            ),
        ],
    )

    fb_src = src / "facebook"
    page = Ix("GET", f"{GRAPH}/19292868552", {"id": "19292868552", "name": "Meta for Developers"})
    _dump(
        out / "facebook/realdata_pyfacebook_feed.yaml",
        [
            page.as_vcr(when),
            _body_ix(
                "GET",
                f"{GRAPH}/19292868552/posts",
                fb_src / "pyfacebook_feeds_default_fields_p1.json",
            ),
            # page 2 is requested at the edge that page 1's recorded paging.next names (/feed)
            _body_ix(
                "GET",
                f"{GRAPH}/19292868552/feed",
                fb_src / "pyfacebook_feeds_default_fields_p2.json",
            ),
        ],
    )
    ig_src = src / "instagram"
    _dump(  # no user lookup: the connector reads the biography only when it counts
        out / "instagram/realdata_pyfacebook_medias.yaml",
        [
            _body_ix(
                "GET",
                f"{GRAPH}/17841406338772941/media",
                ig_src / "pyfacebook_ig_user_medias_p1.json",
            ),
            _body_ix(
                "GET",
                f"{GRAPH}/17841406338772941/media",
                ig_src / "pyfacebook_ig_user_medias_p2.json",
            ),
        ],
    )


def build(out: Path, realdata_dir: Path | None) -> None:
    """Write all cassettes under `out` (realdata conversions only when `realdata_dir` exists)."""
    reddit_scenarios(out)
    x_scenarios(out)
    facebook_scenarios(out)
    instagram_scenarios(out)
    blog_scenarios(out)
    demo(out)
    follower_scenarios(out)
    if realdata_dir is not None and realdata_dir.is_dir():
        realdata(out, realdata_dir)


def follower_scenarios(out: Path) -> None:
    """Followers and members for the consent check (policy item 3): X followers over two pages
    after the user lookup, Reddit approved users of a private subreddit, and X's 403 for an
    access level without the follows lookup."""
    from tests.support.cassette_kit import reddit_contributors, x_followers_page

    people = [
        ("1601000000000000001", "Maya Chen 🎨", "mayac_draws"),
        ("1601000000000000002", "Jefferson Art Boosters", "jhsartboosters"),
        ("1601000000000000003", "Kevin Ng", "kev_ng_photo"),
    ]
    write_cassette(
        out / "x" / "followers.yaml",
        [
            x_user(XUSER["username"], XUID, XUSER["name"], XUSER["description"]),
            x_followers_page(
                XUID, people[:2], next_token="7140dibdnow9c7btw3w29grvxfcgvpb9n9coehpk"
            ),
            x_followers_page(XUID, people[2:]),
        ],
    )
    forbidden = {
        "client_id": "<CLIENT_ID>",
        "detail": "When authenticating requests to the Twitter API v2 endpoints, you must use "
        "keys and tokens from a Twitter developer App that is attached to a Project.",
        "registration_url": "https://developer.twitter.com/en/docs/projects/overview",
        "title": "Client Forbidden",
        "required_enrollment": "Appropriate Level of API Access",
        "reason": "client-not-enrolled",
        "type": "https://api.twitter.com/2/problems/client-forbidden",
    }
    write_cassette(
        out / "x" / "followers_403.yaml",
        [
            x_user(XUSER["username"], XUID, XUSER["name"], XUSER["description"]),
            Ix("GET", f"https://api.twitter.com/2/users/{XUID}/followers", forbidden, status=403),
        ],
    )
    write_cassette(
        out / "reddit" / "followers.yaml",
        [
            reddit_token(),
            reddit_contributors(
                SUB, [("t2_8h3k1m", "mayac_draws"), ("t2_9q2w7e", "chess_parent_42")]
            ),
        ],
    )


if __name__ == "__main__":
    args = sys.argv[1:]
    src = ROOT.parent / "shared" / "realdata"
    if "--realdata" in args:
        k = args.index("--realdata")
        src = Path(args[k + 1])
        del args[k : k + 2]
    build(Path(args[0]) if args else ROOT / "cassettes", src)
