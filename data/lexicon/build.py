#!/usr/bin/env python3
"""Build data/lexicon/words.txt, the word list paperboy compiles in to tell whether a converter cut
a column inside a word (`乡村振` / `兴等宏大…`).

usage: python3 data/lexicon/build.py   (from the checkout; needs pip and PyPI)

Source: the dictionary of jieba 0.42.1 (MIT licence, see LICENSE), fetched from PyPI. Kept: words
of 2 to 4 Han characters whose frequency there is at least MIN_FREQ, one per line, sorted.
"""
import os, re, subprocess, sys, tarfile, tempfile

VERSION = "0.42.1"
MIN_FREQ = 500
HERE = os.path.dirname(os.path.abspath(__file__))

def main():
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", f"jieba=={VERSION}", "--no-deps",
                        "--no-binary", ":all:", "-d", tmp, "-q"], check=True)
        with tarfile.open(os.path.join(tmp, f"jieba-{VERSION}.tar.gz")) as tar:
            raw = tar.extractfile(f"jieba-{VERSION}/jieba/dict.txt").read().decode("utf-8")
    words = set()
    for line in raw.splitlines():
        word, freq, _ = line.split(" ")
        if int(freq) >= MIN_FREQ and re.fullmatch(r"[\u4e00-\u9fff]{2,4}", word):
            words.add(word)
    out = os.path.join(HERE, "words.txt")
    with open(out, "w", encoding="utf-8") as f:
        f.write("".join(w + "\n" for w in sorted(words)))
    print(f"{len(words)} words written to {out}")

if __name__ == "__main__":
    main()
