// Backtracking and dynamic programming: N-queens counts, the first 8-queens
// solution, edit distance with its alignment, and a memoised partition count.
fn queens(n) {
    let cols = []
    let count = 0
    let first = nil
    fn safe(row, col) {
        for r, c in cols {
            if c == col or math.abs(c - col) == row - r { return false }
        }
        return true
    }
    fn place(row) {
        if row == n {
            count += 1
            if first == nil { first = cols.copy() }
            return
        }
        for col in range(n) {
            if safe(row, col) {
                cols.push(col)
                place(row + 1)
                cols.pop()
            }
        }
    }
    place(0)
    return [count, first]
}
for n in range(1, 9) {
    let r = queens(n)
    print(n, "queens:", r[0])
}
let sol = queens(8)[1]
for c in sol { print(".".repeat(c) + "Q" + ".".repeat(7 - c)) }

fn edit_distance(a, b) {
    let ca = a.chars()
    let cb = b.chars()
    let d = []
    for i in range(len(ca) + 1) {
        let row = []
        for j in range(len(cb) + 1) {
            if i == 0 { row.push(j) } else if j == 0 { row.push(i) } else { row.push(0) }
        }
        d.push(row)
    }
    for i in range(1, len(ca) + 1) {
        for j in range(1, len(cb) + 1) {
            let cost = 1
            if ca[i - 1] == cb[j - 1] { cost = 0 }
            d[i][j] = math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
        }
    }
    // walk back for an alignment
    let top = ""
    let bottom = ""
    let i = len(ca)
    let j = len(cb)
    while i > 0 or j > 0 {
        if i > 0 and j > 0 and d[i][j] == d[i - 1][j - 1] + (ca[i - 1] != cb[j - 1] and 1 or 0) {
            top = ca[i - 1] + top
            bottom = cb[j - 1] + bottom
            i -= 1
            j -= 1
        } else if i > 0 and d[i][j] == d[i - 1][j] + 1 {
            top = ca[i - 1] + top
            bottom = "-" + bottom
            i -= 1
        } else {
            top = "-" + top
            bottom = cb[j - 1] + bottom
            j -= 1
        }
    }
    return [d[len(ca)][len(cb)], top, bottom]
}
for pair in [["kitten", "sitting"], ["flaw", "lawn"], ["", "abc"], ["naïve", "native"]] {
    let r = edit_distance(pair[0], pair[1])
    print(pair[0], "->", pair[1], "=", r[0], "|", r[1], "|", r[2])
}

let memo = {}
fn partitions(n, k) {
    // number of partitions of n into parts of size at most k
    if n == 0 { return 1 }
    if n < 0 or k == 0 { return 0 }
    let key = str(n) + "," + str(k)
    if map.has(memo, key) { return memo[key] }
    let v = partitions(n - k, k) + partitions(n, k - 1)
    memo[key] = v
    return v
}
print("p(10) =", partitions(10, 10), "p(100) =", partitions(100, 100), "memo size", len(memo))
