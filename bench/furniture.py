"""Single lines of page furniture: how many are found, and how much news prose is taken for one.

Each line of two lists, written for this test, is added alone to BBC articles, after the headline
and at the end, and the cleaned text must set it apart as boilerplate. ``FIT`` is the list the
rules of ``clean.py`` were extended against (2026-11-25); ``HELD_OUT`` was written before that work
and looked at once after it, so its figure is the fair one. Then the same in a pair: compare() of
the article with its copy carrying the line must report the line as boilerplate and no change of
content (a republished body's extra short lines are taken as furniture too). False positives: lines
of the BBC corpus, which has no furniture, set apart all the same.

    python bench/furniture.py [--corpus ../shared/data/bbc] [--articles 3]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from retold import compare
from retold.clean import clean, find_boilerplate

FIT = [
    'Subscribe to our YouTube channel for more videos',
    'Join our WhatsApp group for breaking news alerts',
    'Photo: Getty Images',
    'Image copyright Reuters',
    'Also read: Ten things you missed this week',
    'Loading...',
    'Advertisement',
    'Report an error',
    'Copyright © 2024 NewsDaily. All rights reserved.',
    'This article was originally published on bbc.co.uk',
    'Source: BBC News',
    'Follow @newsdesk on X',
    'Did you enjoy this article? Share it with your friends!',
    'Click to share on Facebook (Opens in new window)',
    'Like this: Like Loading...',
    'Filed under: Business, Economy',
    'Written by Staff Reporter',
    'Updated: 12 January 2005 10:32 GMT',
    'Please enable JavaScript to view the comments powered by Disqus.',
    'Your browser does not support the video tag.',
    'Error: Contact form not found.',
    '[embedded content]',
    'Previous Post Next Post',
    'What do you think? Let us know in the comments below.',
    'Download our app for the latest news',
    'Sponsored content',
    'Topics: Politics',
    'Print this article',
    'Email this story to a friend',
    'Read more: Markets slide as oil price climbs',
    "Don't miss out! Get breaking news alerts straight to your phone.",
    'Sharing is caring!',
    'Rate this article: ★★★★☆',
    'Views: 1,204',
    'Posted in World News | 3 Comments',
    'Originally reported by BBC News. Reproduced for educational purposes.',
    'Want more stories like this? Subscribe now.',
    'Featured image: file photo',
    'The views expressed are those of the author.',
    'Skip to content',
]
HELD_OUT = [
    'Get our free morning briefing delivered to your inbox',
    'Watch: the moment the bridge collapsed',
    'Picture: PA Wire',
    'Image caption: Protesters gathered outside parliament',
    'Story continues below advertisement',
    'Scroll down for video',
    'Tap here to add us to your home screen',
    'Have a story? Email news@localpaper.co.uk',
    "We'd love to hear from you. Send us your tips.",
    'Related Topics',
    'More on this story',
    'Last updated at 14:05',
    'Published 3 hours ago',
    'By Jane Smith, Political Correspondent',
    'Share via Email',
    'Follow the latest developments on our live blog',
    'Support independent journalism. Donate today.',
    'This content is not available in your region.',
    'Listen to this article',
    'Add comment',
    'Copy link to clipboard',
    'Join the conversation',
    'Bookmark this page',
    '© Daily Reporter 2025',
    'Read our privacy policy',
    'Terms and conditions apply.',
    'Keep reading with a free account',
    'Video unavailable',
    'Click to enlarge',
    'Subscribe for unlimited access',
]


def tally(
    lines: list[str], articles: list[str], right: Callable[[str, str, str], bool]
) -> tuple[int, int, list[str]]:
    """(right, tried, lines wrong at least once): each line is added to each article after its
    headline and at its end, and ``right(article, copy, line)`` judges each copy."""
    hit = tried = 0
    wrong: list[str] = []
    for line in lines:
        for text in articles:
            title, _, body = text.partition("\n")
            for copy in (f"{title}\n\n{line}\n{body}", f"{text.rstrip()}\n\n{line}\n"):
                ok = right(text, copy, line)
                hit += ok
                tried += 1
                if not ok and line not in wrong:
                    wrong.append(line)
    return hit, tried, wrong


def set_apart(_text: str, copy: str, line: str) -> bool:
    """The cleaned copy sets the line apart as boilerplate."""
    return any(b.text == line for b in clean(copy).boilerplate)


def republished(text: str, copy: str, line: str) -> bool:
    """compare() of the article with the copy reports the line as boilerplate and no change of
    content."""
    d = compare(text, copy).to_dict()
    boiler = any(b["side"] == "copy" and b["text"] == line for b in d["boilerplate"])
    return boiler and not [c for c in d["changes"] if c["type"] != "boilerplate"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=Path("../shared/data/bbc"))
    ap.add_argument("--articles", type=int, default=3, help="articles each line is added to (default 3)")
    args = ap.parse_args()
    files = sorted(args.corpus.glob("*/*.txt"))
    if not files:
        sys.exit(f"{args.corpus}: no <topic>/<nnn>.txt articles")
    step = max(1, len(files) // args.articles)
    sample = [f.read_text(encoding="latin-1") for f in files[::step][: args.articles]]
    for name, lines in (("fit", FIT), ("held out", HELD_OUT)):
        hit, tried, missed = tally(lines, sample, set_apart)
        print(f"{name:9s} {len(lines):3d} lines: found {hit}/{tried} = {hit / tried:.3f}")
        for line in missed:
            print(f"          missed: {line}")
    for name, lines in (("fit", FIT), ("held out", HELD_OUT)):
        hit, tried, missed = tally(lines, sample, republished)
        share = f"{hit}/{tried} = {hit / tried:.3f}"
        print(f"{name:9s} in a republished copy: boilerplate and no change of content {share}")
        for line in missed:
            print(f"          wrong: {line}")
    flagged = [(f, b.text) for f in files for b in find_boilerplate(f.read_text(encoding="latin-1"))]
    print(f"false positives: {len(flagged)} lines in {len(files):,} articles")
    for f, text in flagged:
        print(f"          {f.relative_to(args.corpus)}: {text[:90]}")


if __name__ == "__main__":
    main()
