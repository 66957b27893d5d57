#!/usr/bin/python3
"""sample-gen.py - the procedure registry of the sampling benchmark (docs/formats.md, registry
file) and the agencies it names.

Usage: sample-gen.py ROWS AGENCIES OUT_REGISTRY.csv OUT_AGENCIES.csv [SEED]
Agencies B001..Bnnn (communes of province LS); people with a phone (most), an e-mail or
neither; about one person in five has a second dossier (the same phone or e-mail)."""
import random
import sys


def main():
    rows, nag, out_reg, out_ag = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
    rnd = random.Random(int(sys.argv[5]) if len(sys.argv) > 5 else 2026)
    codes = [f"B{i:03d}" for i in range(1, nag + 1)]
    with open(out_ag, "w", encoding="utf-8") as f:
        f.write("code,name,level,parent\nLS,Ủy ban nhân dân tỉnh Lạng Sơn,province,\n")
        for c in codes:
            f.write(f"{c},Ủy ban nhân dân xã {c},commune,LS\n")
    with open(out_reg, "w", encoding="utf-8") as f:
        f.write("dossier,agency,procedure,completed_at,name,phone,email,address\n")
        person = 0
        i = 0
        while i < rows:
            person += 1
            agency = codes[rnd.randrange(nag)]
            kind = rnd.random()
            phone = f"09{person:08d}" if kind < 0.8 else ""
            email = f"nguoi{person}@mail.vn" if 0.8 <= kind < 0.95 else ""
            for _ in range(2 if rnd.random() < 0.2 else 1):
                if i >= rows:
                    break
                i += 1
                f.write(f"H{i:08d},{agency},TTHC-{rnd.randrange(300):03d},2026-{1 + rnd.randrange(12):02d}-"
                        f"{1 + rnd.randrange(28):02d},Nguyễn Văn {person},{phone},{email},"
                        f"\"Thôn {rnd.randrange(50)}, xã {agency}, Lạng Sơn\"\n")


if __name__ == "__main__":
    main()
