# A map with 1M inserts and 2M lookups (scattered int keys, half of the probes miss).
import sys

SCALE = int(sys.argv[1]) if len(sys.argv) > 1 else 1


def main():
    m = {}
    n = 1000000 // SCALE
    for i in range(n):
        m[(i * 2654435761) % 4294967296] = i
    total = 0
    found = 0
    for i in range(n):
        total += m[(i * 2654435761) % 4294967296]
        v = m.get((i * 2654435761) % 4294967296 + 1)
        if v is not None:
            found += 1
    print(len(m), total, found)

main()
