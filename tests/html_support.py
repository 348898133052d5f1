"""Reading the export's HTML pages with the standard library's parser, strictly enough to test."""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

VOID = {"meta", "link", "br", "hr", "img", "input", "wbr", "source", "col", "area", "base"}
# Elements html.parser may see closed implicitly in valid HTML; the templates close them anyway.
OPTIONAL_END = {"p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "option"}


@dataclass
class Page:
    """What one page holds: its links, ids, text and any structural problem."""

    name: str
    links: list[str] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    text: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    event_attributes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def plain(self) -> str:
        """The page's text, whitespace collapsed."""
        return " ".join(" ".join(self.text).split())

    def rows(self, table: int = 0) -> int:
        """How many body rows the page's n-th table has (counted while parsing)."""
        return self.tags.count(f"tbody-row-{table}")


class _Reader(HTMLParser):
    def __init__(self, page: Page) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.stack: list[str] = []
        self.tables = -1
        self.in_body_of: int | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.page.tags.append(tag)
        for name, value in attrs:
            if name.startswith("on"):
                self.page.event_attributes.append(f"{tag} {name}")
            if name == "id" and value:
                if value in self.page.ids:
                    self.page.problems.append(f"duplicate id {value}")
                self.page.ids.add(value)
            if name in {"href", "src"} and value is not None:
                self.page.links.append(value)
        if tag == "table":
            self.tables += 1
        if tag == "tbody":
            self.in_body_of = self.tables
        if tag == "tr" and self.in_body_of is not None:
            self.page.tags.append(f"tbody-row-{self.in_body_of}")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self.in_body_of = None
        if tag in VOID:
            return
        while self.stack and self.stack[-1] != tag and self.stack[-1] in OPTIONAL_END:
            self.stack.pop()
        if not self.stack or self.stack[-1] != tag:
            self.page.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] in {"style", "title"} and "svg" not in self.stack:
            return
        self.page.text.append(data)

    def close(self) -> None:
        super().close()
        if self.stack:
            self.page.problems.append(f"unclosed {self.stack}")


def read_pages(archive: zipfile.ZipFile) -> dict[str, Page]:
    """Every .html page in the ZIP, parsed."""
    pages = {}
    for name in archive.namelist():
        if not name.endswith(".html"):
            continue
        source = archive.read(name).decode("utf-8")
        page = Page(name)
        if not re.match(r"\s*<!doctype html>", source, re.IGNORECASE):
            page.problems.append("no doctype")
        reader = _Reader(page)
        reader.feed(source)
        reader.close()
        pages[name] = page
    return pages


def resolve(page: str, link: str) -> tuple[str, str]:
    """A relative link on page as (ZIP member, fragment); the member is '' for a same-page anchor."""
    parts = urlsplit(link)
    assert not parts.scheme and not parts.netloc, f"{page} links outside the export: {link}"
    if not parts.path:
        return page, unquote(parts.fragment)
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(parts.path)))
    return target, unquote(parts.fragment)


def broken_links(pages: dict[str, Page], names: set[str]) -> list[str]:
    """Links that name no file in the ZIP, or an anchor its page does not have."""
    broken = []
    for page in pages.values():
        for link in page.links:
            target, fragment = resolve(page.name, link)
            if target not in names:
                broken.append(f"{page.name}: {link}")
            elif fragment and (target not in pages or fragment not in pages[target].ids):
                broken.append(f"{page.name}: {link} (no such anchor)")
    return broken


def linked_from(page: Page) -> set[str]:
    """The ZIP members a page links to."""
    return {resolve(page.name, link)[0] for link in page.links}
