# Closure- and call-heavy code: counters, adders, composition, higher-order calls.
import sys

SCALE = int(sys.argv[1]) if len(sys.argv) > 1 else 1


def make_counter():
    n = 0

    def step_by(step):
        nonlocal n
        n += step
        return n
    return step_by


def make_adder(k):
    return lambda x: x + k


def compose(f, g):
    return lambda x: f(g(x))


def apply(f, x, times):
    for _ in range(times):
        x = f(x)
    return x


def main():
    total = 0
    c = make_counter()
    for i in range(1000000 // SCALE):
        add = make_adder(i % 10)
        both = compose(add, make_adder(1))
        total = (total + both(i) + c(1)) % 1000000007
    inc2 = compose(make_adder(1), make_adder(1))
    total = (total + apply(inc2, 0, 2000000 // SCALE)) % 1000000007
    print(total, c(0))

main()
