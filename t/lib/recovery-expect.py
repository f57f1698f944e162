#!/usr/bin/env python3
"""recovery-expect.py CSV TABLE [--activation]: what the reference's fetch_from_recovery_csv makes of CSV, as the
latest values of each record (json.dumps sort_keys), one a line. Senders that are not uids are looked up in TABLE
(a tdtools UUID table file) first, as td-import de-identifies them. Operator labels are masked."""
import csv, hashlib, json, re, sys
from datetime import datetime, timedelta, timezone

path, table = sys.argv[1], sys.argv[2]
activation = "--activation" in sys.argv
data_to_uid = {}
for line in open(table, encoding="utf-8"):
    m = json.loads(line)
    data_to_uid.setdefault(m["data"], m["uuid"])
uid_to_data = {v: k for k, v in data_to_uid.items()}
codes = {"25261": "code-c7b32481", "25262": "code-605d77ed", "25263": "code-3e6ddc70", "25264": "code-c7b32481",
         "25265": "code-605d77ed", "25266": "code-605d77ed", "25267": "code-b83b9be1", "25268": "code-524167c7",
         "25269": "code-b83b9be1", "25290": "code-450ec146"}
for row in csv.DictReader(open(path, newline="", encoding="utf-8")):
    raw = row["ReceivedOn"]
    fmt = "%d/%m/%Y %H:%M" if len(raw) == len("dd/mm/YYYY HH:MM") else "%d/%m/%Y %H:%M:%S"
    d = datetime.strptime(raw, fmt).replace(tzinfo=timezone(timedelta(hours=3)))
    if not row["Sender"].startswith("avf-phone-uuid-"):
        row["Sender"] = data_to_uid[re.sub("[^0-9]", "", row["Sender"]).lstrip("0")]
    td = {"avf_phone_id": row["Sender"], "message": row["Message"], "received_on": d.isoformat(),
          "run_id": hashlib.sha256(json.dumps(row, sort_keys=True).encode("utf-8")).hexdigest()}
    if activation:
        raw_op = uid_to_data.get(row["Sender"], "")[:5]
        td["operator_raw"] = raw_op
        td["operator_coded"] = {"Checked": False, "CodeID": codes.get(raw_op, "code-NC-42f1d983"),
                                "DateTimeUTC": "MASKED", "Origin": {"Name": "Pipeline Auto-Coder", "OriginID": "MASKED",
                                                                    "OriginType": "External"},
                                "SchemeID": "Scheme-f86cff0b"}
    print(json.dumps(td, sort_keys=True))
