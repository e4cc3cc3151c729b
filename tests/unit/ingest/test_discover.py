"""Autodiscovery: feed links declared by a page, common paths, feed sniffing."""

import time

from ingest_helpers import item, rss

from feed.ingest.discover import (
    COMMON_FEED_PATHS,
    candidate_urls,
    find_feed_links,
    looks_like_feed,
)

PAGE = b"""<!DOCTYPE html>
<html><head>
<meta charset="utf-8"><title>A blog</title>
<link rel="stylesheet" href="/style.css">
<link rel="alternate" type="application/rss+xml" title="RSS" href="/feed.xml">
<link rel="alternate" type="application/atom+xml" href="https://blog.example/atom">
<LINK REL="Alternate Feed" TYPE="Application/RSS+XML; charset=utf-8"
  HREF="comments.rss">
<link rel="alternate" type="application/rss+xml" href="/feed.xml">
<link rel="alternate" type="text/html" hreflang="fr" href="/fr/">
<link rel="alternate" type="application/feed+json" href="/feed.json">
<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
<link rel="alternate" type="application/rss+xml" href="feed://blog.example/old.rss">
</head><body><a href="/other.rss" type="application/rss+xml">x</a></body></html>"""


def test_feed_links_are_found_resolved_and_deduplicated_in_page_order():
    links = find_feed_links(PAGE, "https://blog.example/posts/hello")

    assert links == [
        "https://blog.example/feed.xml",
        "https://blog.example/atom",
        "http://blog.example/old.rss",
        "https://blog.example/posts/comments.rss",  # comment feeds last
    ]


def test_base_href_changes_how_relative_links_resolve():
    page = (
        b'<html><head><base href="https://cdn.example/site/">'
        b'<link rel="alternate" type="application/atom+xml" href="atom.xml">'
        b"</head></html>"
    )

    assert find_feed_links(page, "https://blog.example/") == [
        "https://cdn.example/site/atom.xml"
    ]


def test_an_unparseable_base_href_is_ignored():
    page = (
        b'<base href="http://[broken/"><link rel="alternate" '
        b'type="application/rss+xml" href="/feed">'
    )

    assert find_feed_links(page, "https://blog.example/") == [
        "https://blog.example/feed"
    ]


def test_a_page_without_feed_links_gives_an_empty_list():
    assert find_feed_links(b"<html><body>nothing</body></html>", "https://e.x/") == []


def test_a_malformed_marked_section_keeps_the_links_found_before_it():
    page = (
        b'<link rel="alternate" type="application/rss+xml" href="/a.xml">'
        b"<![\x00CDATA[ broken"
    )

    assert find_feed_links(page, "https://e.x/") == ["https://e.x/a.xml"]


def test_garbage_bytes_give_an_empty_list():
    assert find_feed_links(b"\x00\xff\xfe<<<>>>&&&", "https://e.x/") == []


def test_candidate_urls_are_the_common_paths_on_the_same_site():
    urls = candidate_urls("https://Blog.Example:8443/some/page?x=1")

    assert urls[0] == "https://blog.example:8443/feed"
    assert "https://blog.example:8443/atom.xml" in urls
    assert len(urls) == len(COMMON_FEED_PATHS)
    assert candidate_urls("javascript:alert(1)") == []


def test_common_paths_include_the_usual_suspects():
    for path in ("/feed", "/rss", "/atom.xml", "/feed.xml", "/index.xml", "/rss.xml"):
        assert path in COMMON_FEED_PATHS


def test_looks_like_feed_recognises_rss_atom_and_rdf_but_not_html():
    atom = b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"/>'
    rdf = b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>'

    assert looks_like_feed(rss(item()))
    assert looks_like_feed(atom)
    assert looks_like_feed(rdf)
    assert looks_like_feed(rss(item()).decode().encode("utf-16"))
    assert not looks_like_feed(PAGE)
    assert not looks_like_feed(b"")
    assert not looks_like_feed(b'{"items": []}')


def test_hostile_pages_are_scanned_in_linear_time():
    # html.parser alone takes minutes on this (CVE-2025-6069 in Python 3.11).
    page = (
        b"<a " * 300_000
        + b'<link rel="alternate" type="application/rss+xml" href="/f">'
    )
    started = time.monotonic()

    links = find_feed_links(page, "https://e.x/")

    assert time.monotonic() - started < 5
    assert links == ["https://e.x/f"]


def test_feed_links_inside_html_comments_are_ignored():
    page = b'<!-- <link rel="alternate" type="application/rss+xml" href="/old"> -->'

    assert find_feed_links(page, "https://e.x/") == []


def test_a_greater_than_sign_in_a_quoted_attribute_keeps_the_link():
    page = (
        b'<link rel="alternate" type="application/rss+xml" title="Posts > All" '
        b"href=\"/posts.rss\"><link rel='alternate' type='application/atom+xml' "
        b"title='News > Tech' href='/tech.atom'>"
    )

    assert find_feed_links(page, "https://e.x/") == [
        "https://e.x/posts.rss",
        "https://e.x/tech.atom",
    ]


def test_comment_feeds_come_after_the_posts_feeds():
    page = (
        b'<link rel="alternate" type="application/rss+xml" '
        b'title="Blog &raquo; Comments Feed" href="/comments/feed/">'
        b'<link rel="alternate" type="application/rss+xml" '
        b'title="Blog &raquo; Feed" href="/feed/">'
        b'<link rel="alternate" type="application/rss+xml" href="/2026/post/comments/">'
        b'<link rel="alternate" type="application/atom+xml" href="/atom.xml">'
    )

    assert find_feed_links(page, "https://e.x/") == [
        "https://e.x/feed/",
        "https://e.x/atom.xml",
        "https://e.x/comments/feed/",
        "https://e.x/2026/post/comments/",
    ]
