// Uncaught stack overflow: the trace keeps the innermost and outermost frames.
fn walk(node, depth) {
    return walk({next: node}, depth + 1)
}
fn start() {
    return walk(nil, 0)
}
start()
