# Nested arithmetic loops over ints and floats.
import sys

SCALE = int(sys.argv[1]) if len(sys.argv) > 1 else 1


def main():
    n = 2000 // SCALE
    s = 0
    f = 0.0
    for i in range(n):
        for j in range(n):
            s = (s + i * j + (i ^ j)) % 1000003
            f += (i * 3 - j) * 0.5
    print(s, int(f))

main()
