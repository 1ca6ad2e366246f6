#!/usr/bin/env python3
"""Writes a press pool (the article format of ../shared/press/press.py) of paperboy's own pages.

The page model is fitted on pressings of the development corpus, whose 39 articles it then sees
in every layout; pages never seen carry other articles. This pool holds the articles of the seed
pages and of the pages written for the tests (tests/fixtures/heldout, each once: the `_wrapped`
copies repeat their articles), so pages can be pressed from other articles than the development
corpus's, to measure extraction on (and, should it pay, to fit on):

    python3 data/training/pool.py target/release/paperboy > ../press/own_pool.json
    python3 ../shared/press/press.py --pool ../press/own_pool.json --out ../press/o1 --pages 14 --seed 1

Titles, kickers, subtitles, bylines, regions and kinds come from the hand labels
(tests/fixtures/gold_*.json); the paragraphs from `paperboy extract --segmenter rules`, which reads
these pages whole; how each byline and dateline is printed from the page's own lines.
Standard library only.
"""

import json
import os
import re
import subprocess
import sys
import unicodedata

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SETS = [
    ("tests/fixtures/gold_seeds.json", "seeds"),
    ("tests/fixtures/gold_heldout.json", "tests/fixtures/heldout"),
]
# The paper of the pages whose labels name none: they are provincial pages.
PROVINCIAL = "浙江日报"
# A dateline as printed before a story's first words: 本报讯, 新华社杭州6月1日电, 本报建德讯…
DATELINE = re.compile(r"^(?:[■●◆▲★]\s*)?(\S{0,16}?(?:讯|电))\s*(?=[（(]|$)")


def fold(s):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s or ""))


def plain(line):
    """A dump line without markdown marks."""
    return re.sub(r"^#+\s*|\*\*|__", "", line).strip()


def extract(binary, path):
    out = subprocess.run(
        [binary, "extract", "--format", "json", "--segmenter", "rules", path],
        capture_output=True, text=True, check=True,
    ).stdout
    pages = json.loads(out)
    return pages[0] if isinstance(pages, list) else pages


def find_article(extracted, gold):
    """The extracted article holding the gold article's first passage."""
    want = fold(gold["contains"][0])
    for a in extracted["articles"]:
        if want in fold(a.get("body")):
            return a
    return None


def printed_byline(lines, names, body_start):
    """(byline as printed, position, dateline) of an article, read from its page's lines."""
    if not names:
        return None, "none", None
    for i, raw in enumerate(lines):
        line = plain(raw)
        if names[0] not in fold(line):
            continue  # names are looked for without spaces: 钱 宇 is 钱宇
        if re.search(r"[（(][^）)]*$", line) and i + 1 < len(lines):
            line += plain(lines[i + 1])  # a bracket the column cut: the rest is on the next line
        m = DATELINE.match(line)
        if m:
            br = re.match(r"^[（(][^（()）]*[)）]", line[m.end():])
            if br:
                return br.group(0), "dateline", m.group(1)
        name = r"\s*".join(map(re.escape, names[0]))
        br = re.search(r"[（(][^（()）]*" + name + r"[^（()）]*[)）]", line)
        tail = re.split(r"[。！？]", line)[-1].strip()
        if br and (len(fold(line)) > 40 or "。" in line[:br.start()]):
            line = br.group(0)  # a byline glued to the story's last sentence
        elif tail != line and names[0] in fold(tail):
            line = tail  # a credit glued to its caption: …观赏。记者 朱 明 摄
        elif len(fold(line)) > 40:
            continue
        at = body_start.get("line")
        position = "top" if at is None or i < at else "end"
        return line, position, None
    return None, "none", None


def dateline_of(lines, at):
    if at is None:
        return None
    m = DATELINE.match(plain(lines[at]))
    return m.group(1) if m else None


def pool_of(binary, gold_path, folder):
    gold = json.load(open(os.path.join(ROOT, gold_path), encoding="utf-8"))
    out = []
    for page in gold["pages"]:
        name = page["file"]
        if name.endswith("_wrapped.txt") or name.endswith("_ocr.txt"):
            continue  # the same articles again, or text OCR has damaged
        path = os.path.join(ROOT, folder, name)
        raw = open(path, "rb").read()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("gb18030")  # a page written in the county papers' other encoding
        lines = text.splitlines()
        extracted = extract(binary, path)
        outlet = page.get("paper") or ""
        if not re.fullmatch(r"[\u4e00-\u9fff·]+", outlet):
            # The label names no paper (a provincial roundup, a page of the provincial daily):
            # the masthead the press prints must still read as one.
            outlet = PROVINCIAL
        for k, g in enumerate(page["articles"]):
            a = find_article(extracted, g)
            if a is None or not g.get("regions"):
                print(f"{name}: article {k} not read whole, left out", file=sys.stderr)
                continue
            paras = [p.strip() for p in a["body"].split("\n\n") if p.strip()]
            head = fold(paras[0])[:8]
            start = next((i for i, l in enumerate(lines) if head and head in fold(l)), None)
            kind = g.get("kind") or ("photo" if g.get("photo") else None)
            if kind not in ("photo", "brief"):
                size = sum(len(p) for p in paras)
                kind = "brief" if size < 160 else ("feature" if size > 900 else "news")
            by, position, dl = printed_byline(lines, g.get("byline") or [], {"line": start})
            if kind == "photo" and by and position != "dateline":
                position = "credit"
            out.append({
                "id": f"own_{os.path.splitext(name)[0]}_{k}",
                "outlet": outlet,
                "province": None,
                "source_date": page.get("date"),
                "regions": g["regions"],
                "kind": kind,
                "kicker": g.get("kicker"),
                "title": g.get("title"),
                "title_alts": g.get("title_alts") or [],
                "subtitle": g.get("subtitle"),
                "dateline": dl or (dateline_of(lines, start) if position != "dateline" else None),
                "byline_printed": by,
                "byline_position": position if by else "none",
                # The names the printed byline holds: a story credited in two places
                # (■记者 张三 … （通讯员 李四）) is printed with the first here.
                "byline": [n for n in g.get("byline") or [] if by and n in fold(by)],
                "paragraphs": paras,
                "subheads": [],
                "editor_note": None,
                "truncated_at_source": False,
            })
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: pool.py PAPERBOY_BINARY > pool.json")
    articles = []
    for gold_path, folder in SETS:
        articles += pool_of(sys.argv[1], gold_path, folder)
    about = ("Articles of paperboy's seed pages and of the pages written for its tests, "
             "written by data/training/pool.py for pressing.")
    json.dump({"about": about, "articles": articles}, sys.stdout, ensure_ascii=False, indent=1)
    print()


if __name__ == "__main__":
    main()
