# String building, joining, splitting and scanning.
import sys

SCALE = int(sys.argv[1]) if len(sys.argv) > 1 else 1


def main():
    n = 200000 // SCALE
    parts = []
    for i in range(n):
        parts.append("w" + str(i % 1000) + "_" + str(i % 7))
    text = " ".join(parts)
    words = text.split(" ")
    total = 0
    hits = 0
    for w in words:
        total += len(w)
        if w == "w42_0":
            hits += 1
    acc = ""
    for _ in range(n // 10):
        acc += "ab"
    upper = text[0:n // 2].upper()
    print(len(text), len(words), total, hits, len(acc), len(upper.split("_")))

main()
