// Rethrowing a caught runtime error with error(e) raises the string e: the
// report adds the position of the rethrow in front of the original text.
fn parse_port(text) {
    return int(text)
}
fn load(cfg) {
    try {
        return parse_port(cfg.port)
    } catch e {
        print("cleaning up after:", e)
        error(e)
    }
}
print(load({port: "8080"}))
print(load({port: "80a"}))
