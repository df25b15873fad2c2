// A binary-heap priority queue and Dijkstra's shortest paths.
fn heap_new(less) { return {items: [], less: less} }

fn heap_push(h, x) {
    let a = h.items
    a.push(x)
    let i = len(a) - 1
    while i > 0 {
        let parent = (i - 1) // 2
        if not h.less(a[i], a[parent]) { break }
        let t = a[i]
        a[i] = a[parent]
        a[parent] = t
        i = parent
    }
}

fn heap_pop(h) {
    let a = h.items
    let top = a[0]
    let last = a.pop()
    if len(a) > 0 {
        a[0] = last
        let i = 0
        let n = len(a)
        while true {
            let l = 2 * i + 1
            let r = l + 1
            let m = i
            if l < n and h.less(a[l], a[m]) { m = l }
            if r < n and h.less(a[r], a[m]) { m = r }
            if m == i { break }
            let t = a[i]
            a[i] = a[m]
            a[m] = t
            i = m
        }
    }
    return top
}

// heap sort as a self-check
let h = heap_new(fn(x, y) { return x < y })
for v in [42, 7, 19, 3, 88, 7, 0, -5, 23, 11] { heap_push(h, v) }
let sorted = []
while len(h.items) > 0 { sorted.push(str(heap_pop(h))) }
print(sorted.join(" "))

// graph as adjacency map: node -> list of [neighbour, weight]
let edges = [
    ["A", "B", 7], ["A", "C", 9], ["A", "F", 14], ["B", "C", 10],
    ["B", "D", 15], ["C", "D", 11], ["C", "F", 2], ["D", "E", 6],
    ["E", "F", 9], ["G", "H", 1],
]
let graph = {}
for e in edges {
    for k in [0, 1] {
        let from = e[k]
        let to = e[1 - k]
        if graph[from] == nil { graph[from] = [] }
        graph[from].push([to, e[2]])
    }
}

fn dijkstra(g, source) {
    let dist = {}
    let prev = {}
    dist[source] = 0
    let pq = heap_new(fn(x, y) { return x[0] < y[0] })
    heap_push(pq, [0, source])
    while len(pq.items) > 0 {
        let item = heap_pop(pq)
        let d = item[0]
        let u = item[1]
        if d > dist[u] { continue }
        for edge in g[u] {
            let v = edge[0]
            let nd = d + edge[1]
            if dist[v] == nil or nd < dist[v] {
                dist[v] = nd
                prev[v] = u
                heap_push(pq, [nd, v])
            }
        }
    }
    return {dist: dist, prev: prev}
}

fn path_to(prev, target) {
    let p = [target]
    while prev[p[len(p) - 1]] != nil { p.push(prev[p[len(p) - 1]]) }
    p.reverse()
    return p.join(" -> ")
}

let res = dijkstra(graph, "A")
for node in ["A", "B", "C", "D", "E", "F", "G"] {
    let d = res.dist[node]
    if d == nil {
        print(node, "unreachable")
    } else {
        print(node, d, path_to(res.prev, node))
    }
}

// grid shortest path with the same queue: 0 open, 1 wall, moves cost 1
let maze = [
    "S..#....",
    ".#.#.##.",
    ".#...#..",
    ".####.#.",
    "......#E",
]
let rows = len(maze)
let cols = len(maze[0])
fn key(r, c) { return r * 100 + c }
let start = nil
let goal = nil
for r in range(rows) {
    for c in range(cols) {
        let ch = maze[r][c:c + 1]
        if ch == "S" { start = [r, c] }
        if ch == "E" { goal = [r, c] }
    }
}
let best = {}
best[key(start[0], start[1])] = 0
let q = heap_new(fn(x, y) { return x[0] < y[0] })
heap_push(q, [0, start[0], start[1]])
let found = -1
while len(q.items) > 0 {
    let it = heap_pop(q)
    if it[1] == goal[0] and it[2] == goal[1] { found = it[0] break }
    for dlt in [[1, 0], [-1, 0], [0, 1], [0, -1]] {
        let nr = it[1] + dlt[0]
        let nc = it[2] + dlt[1]
        if nr < 0 or nc < 0 or nr >= rows or nc >= cols { continue }
        if maze[nr][nc:nc + 1] == "#" { continue }
        let k = key(nr, nc)
        if best[k] == nil or it[0] + 1 < best[k] {
            best[k] = it[0] + 1
            heap_push(q, [it[0] + 1, nr, nc])
        }
    }
}
print("maze steps:", found)
