# Writes every Hangul letter found in the given files (the UI's catalogs, shared/ui_text_*.cpp),
# once each, to OUTPUT: the --text-file of the start-up Hangul font's subset (wasm/CMakeLists.txt).
# Only Hangul: the Latin UI font has the rest, and the catalogs' ASCII code would only add glyphs
# nobody draws from this font.
#   python3 cmake/hangul_text.py OUTPUT FILE...
import sys


def hangul(c):
    o = ord(c)
    return 0xAC00 <= o <= 0xD7A3 or 0x1100 <= o <= 0x11FF or 0x3130 <= o <= 0x318F


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: hangul_text.py OUTPUT FILE...")
    letters = set()
    for path in sys.argv[2:]:
        with open(path, encoding="utf-8") as f:
            letters.update(c for c in f.read() if hangul(c))
    if not letters:
        sys.exit("hangul_text.py: no Hangul in " + " ".join(sys.argv[2:]))
    with open(sys.argv[1], "w", encoding="utf-8") as f:
        f.write("".join(sorted(letters)) + "\n")


main()
