# JSON: encode a large document, decode it, encode the result again.
# Python's json module is implemented in C (the _json accelerator).
import json
import sys

SCALE = int(sys.argv[1]) if len(sys.argv) > 1 else 1


def main():
    n = 20000 // SCALE
    doc = {"count": n, "items": []}
    for i in range(n):
        doc["items"].append({
            "a_id": i,
            "b_name": "item \"" + str(i) + "\"",
            "c_tags": ["t" + str(i % 5), "x", "long tag text here"],
            "d_score": i + 0.5,
            "e_meta": {"active": i % 2 == 0, "parent": i // 3, "path": "/a/b\\c"},
        })
    text = json.dumps(doc, separators=(",", ":"))
    back = json.loads(text)
    text2 = json.dumps(back, separators=(",", ":"))
    ids = score2 = active = t3 = 0
    for it in back["items"]:
        ids += it["a_id"]
        score2 += int(it["d_score"] * 2)
        if it["e_meta"]["active"]:
            active += 1
        if it["c_tags"][0] == "t3":
            t3 += 1
    same = 1 if text == text2 else 0
    print(back["count"], ids, score2, active, t3, same)

main()
