# Recursive Fibonacci: function calls and integer arithmetic.
import sys

SCALE = int(sys.argv[1]) if len(sys.argv) > 1 else 1


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


N = 30 if SCALE == 1 else 20
print(fib(N))
