# Sorting 1M pseudo-random ints with a comparator function.
import sys
from functools import cmp_to_key

SCALE = int(sys.argv[1]) if len(sys.argv) > 1 else 1


def main():
    n = 1000000 // SCALE
    xs = []
    seed = 12345
    for _ in range(n):
        seed = (seed * 1103515245 + 12345) % 2147483648
        xs.append(seed % 1000000)

    def cmp(a, b):
        return (a < b) - (a > b)

    xs.sort(key=cmp_to_key(cmp))
    check = 0
    for i in range(0, n, 1000):
        check = (check * 31 + xs[i]) % 1000000007
    print(xs[0], xs[n - 1], check)

main()
