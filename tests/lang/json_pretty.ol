// A JSON pretty-printer written in OrionLang, checked against json.decode.
fn escape(s) {
    let out = "\""
    for c in s {
        if c == "\"" { out += "\\\"" }
        else if c == "\\" { out += "\\\\" }
        else if c == "\n" { out += "\\n" }
        else if c == "\t" { out += "\\t" }
        else { out += c }
    }
    return out + "\""
}

fn pretty(v, indent) {
    let t = type(v)
    if t == "nil" { return "null" }
    if t == "bool" or t == "int" or t == "float" { return str(v) }
    if t == "string" { return escape(v) }
    let pad = "  ".repeat(indent + 1)
    let close = "  ".repeat(indent)
    if t == "list" {
        if len(v) == 0 { return "[]" }
        let parts = []
        for x in v { parts.push(pad + pretty(x, indent + 1)) }
        return "[\n" + parts.join(",\n") + "\n" + close + "]"
    }
    if t == "map" {
        if len(v) == 0 { return "{}" }
        let parts = []
        for k, x in v { parts.push(pad + escape(k) + ": " + pretty(x, indent + 1)) }
        return "{\n" + parts.join(",\n") + "\n" + close + "}"
    }
    error("cannot encode " + t)
}

let doc = json.decode("{\"name\": \"orion\", \"version\": 3, \"ratio\": 0.5, \"tags\": [\"fs\", \"db\", \"lang\"], \"owner\": {\"id\": 7, \"active\": true, \"note\": null}, \"empty\": [], \"nested\": [[1, 2], {}], \"quote\": \"say \\\"hi\\\"\\n\"}")
print(pretty(doc, 0))

// decoded types
print(type(doc.version), type(doc.ratio), type(doc.owner.note), doc.owner.active)
// keys keep document order
print(map.keys(doc).join(","))

// round trip: our printer's output decodes to the same structure
let again = json.decode(pretty(doc, 0))
print(json.encode(again) == json.encode(doc))

// json.encode with indent agrees with our printer for this document
print(json.encode(doc, 2) == pretty(doc, 0))

// compact encoding
print(json.encode([1, 2.5, "x", nil, true, {a: [ ]}]))
print(json.encode({b: 1, a: 2, c: {z: 0, y: [1]}}))
print(json.encode("tab\there \u{e9}"))

// numbers
let nums = json.decode("[0, -1, 1.5, 1e3, 12345678901, -0.25]")
let shown = []
for n in nums { shown.push(type(n) + ":" + str(n)) }
print(shown.join(" "))

// decode errors carry a position
for bad in ["[1, 2", "{\"a\" 1}", "tru", "[1,]", "\"unterminated", "{} x"] {
    try {
        json.decode(bad)
        print("no error for", bad)
    } catch e {
        print("error:", type(e) == "string" and len(e) > 0)
    }
}
// things json cannot represent
try {
    json.encode({f: print})
} catch e {
    print("encode error:", type(e))
}
