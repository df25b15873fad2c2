// Arithmetic, int/float mixing, precedence and bitwise operators.
print(7 + 3, 7 - 3, 7 * 3, 7 / 2, 6 / 3)
print(7 // 2, -7 // 2, 7 // -2, -7 // -2)
print(7 % 3, -7 % 3, 7 % -3, -7 % -3)
print(7.5 // 2, -7.5 // 2, 7.5 % 2, -7.5 % 2)
print(2 ** 10, 2 ** 0, (-3) ** 3, 2 ** -1, 2.0 ** 3)
print(-2 ** 2, (-2) ** 2, 2 ** 3 ** 2)
print(1 + 2 * 3, (1 + 2) * 3, 10 - 4 - 3, 2 * 3 % 4)
print(1 + 2.0, 3 * 0.5, 10 - 0.25)
print(1 == 1.0, 1 < 1.5, 2 >= 2.0, 3 != 3.0)
print(0.1 + 0.2, 0.1 + 0.2 == 0.3)
// bitwise
print(6 & 3, 6 | 3, 6 ^ 3, ~0, ~5, 1 << 10, 1024 >> 3)
print(1 | 2 ^ 3 & 4, 1 + 2 << 1, 3 & 1 == 1)
// comparisons are not associative but combine with and/or
let n = 5
print(1 < n and n < 10, n == 5 or n == 6, not n == 5)
// strings compare bytewise
print("abc" < "abd", "Z" < "a", "" < "a", "ab" < "abc", "b" > "abc")
// compound assignment
let t = 10
t += 5
t -= 3
t *= 2
print(t)
t /= 4
print(t, type(t))
// int() and float()
print(int(3.9), int(-3.9), int("42"), int("-17"), float(2), float("2.5"))
print(int(7.0) == 7, type(int(7.0)), type(float(7)))
// integer limits are exact
let big = 9223372036854775807
print(big, -big - 1, big // 2)
print(0x7fffffffffffffff == big)
