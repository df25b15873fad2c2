// A CSV parser (quoted fields, doubled quotes, embedded commas and newlines)
// and a small report over the parsed records.
fn parse_csv(text) {
    let rows = []
    let row = []
    let field = ""
    let quoted = false
    let i = 0
    let n = len(text)
    while i < n {
        let c = text[i]
        if quoted {
            if c == "\"" {
                if i + 1 < n and text[i + 1] == "\"" {
                    field += "\""
                    i += 1
                } else {
                    quoted = false
                }
            } else {
                field += c
            }
        } else if c == "\"" {
            quoted = true
        } else if c == "," {
            row.push(field)
            field = ""
        } else if c == "\n" {
            row.push(field)
            rows.push(row)
            row = []
            field = ""
        } else {
            field += c
        }
        i += 1
    }
    if quoted { error("unterminated quoted field") }
    if field != "" or len(row) > 0 {
        row.push(field)
        rows.push(row)
    }
    return rows
}

let data = "name,city,amount,note
Ann,Oslo,120.50,regular
Bob,\"Bergen, Norway\",75,\"said \"\"hi\"\"\"
Cy,Oslo,300,\"two
lines\"
Dee,Tromsø,42.25,
Eve,Bergen,0,\"\"
"
let rows = parse_csv(data)
print("rows:", len(rows))
let header = rows[0]
let records = []
for r in rows[1:] {
    if len(r) != len(header) { error("bad row " + str(r)) }
    let rec = {}
    for i, h in header { rec[h] = r[i] }
    records.push(rec)
}
for rec in records { print(rec) }

// totals per city, in first-seen order
let totals = {}
for rec in records {
    let amount = float(rec.amount)
    totals[rec.city] = (totals[rec.city] or 0.0) + amount
}
for city, total in totals { print(format("{:<16}{:>10.2f}", city, total)) }

// re-encode, quoting only when needed
fn quote(f) {
    if f.contains(",") or f.contains("\"") or f.contains("\n") {
        return "\"" + f.replace("\"", "\"\"") + "\""
    }
    return f
}
let out = []
for r in rows { out.push(r.map(quote).join(",")) }
let again = out.join("\n") + "\n"
print(again == data, json.encode(parse_csv(again)) == json.encode(rows))
print(len(parse_csv("a,b\n1,2")), parse_csv("x")[0], parse_csv(",,")[0])
try { parse_csv("\"open") } catch e { print("error:", e) }
