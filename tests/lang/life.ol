// Conway's Game of Life on a small torus, plus a glider's period check.
fn parse(rows) {
    let g = []
    for r in rows {
        let row = []
        for c in r { row.push(c == "#") }
        g.push(row)
    }
    return g
}

fn render(g) {
    let lines = []
    for row in g {
        let s = ""
        for cell in row { if cell { s += "#" } else { s += "." } }
        lines.push(s)
    }
    return lines.join("\n")
}

fn step(g) {
    let h = len(g)
    let w = len(g[0])
    let next = []
    for r in range(h) {
        let row = []
        for c in range(w) {
            let n = 0
            for dr in [-1, 0, 1] {
                for dc in [-1, 0, 1] {
                    if dr == 0 and dc == 0 { continue }
                    if g[(r + dr) % h][(c + dc) % w] { n += 1 }
                }
            }
            let alive = g[r][c]
            row.push((alive and (n == 2 or n == 3)) or (not alive and n == 3))
        }
        next.push(row)
    }
    return next
}

fn population(g) {
    let n = 0
    for row in g { for cell in row { if cell { n += 1 } } }
    return n
}

let g = parse([
    ".#......",
    "..#.....",
    "###.....",
    "........",
    "........",
    "....##..",
    "....##..",
    "........",
])
print(render(g))
for i in range(4) { g = step(g) }
print("after 4 generations, population", population(g))
print(render(g))
// on this torus the glider runs into the block: the pattern changes for good
let start = render(g)
for i in range(32) { g = step(g) }
print("after 32 more, population", population(g), "same as before:", render(g) == start)
print(render(g))
// blinker oscillates with period 2
let b = parse([".....", "..#..", "..#..", "..#..", "....."])
let b1 = step(b)
print(render(b1))
print("period 2:", render(step(b1)) == render(b))
