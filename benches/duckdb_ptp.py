#!/usr/bin/env python3
"""The NCCI PTP and MUE checks of policies/ncci.policy as one SQL query in DuckDB.

Run by `cargo bench --bench national` (benches/national.rs) when the `duckdb` Python module is
installed, to compare the engine with a columnar SQL engine on the same claims and machine:

    python3 benches/duckdb_ptp.py CLAIMS.tsv PTP.tsv MUE.tsv THREADS

- CLAIMS.tsv: one row per claim line, `claim_id, line_number, service_date (YYYY-MM-DD), code,
  modifiers (space-separated), units`, with a header line.
- PTP.tsv, MUE.tsv: the national tables as the standard pack ships them, decompressed
  (policies/tables/ncci/*.tsv.zst).

Loading the files (and giving each PTP row the dates it is in force, as the engine's index
does) is timed apart from the query, which is what is compared: the query reads the claims
already in DuckDB's own tables and counts the denied lines on THREADS threads. Prints one JSON
line: `{"denials", "ptp", "mue", "seconds", "load_seconds", "threads", "version"}`.

Semantics, as ncci.policy's rules and the engine (src/eval/table_edits.rs, src/ncci/mod.rs):
- a PTP row without an effective date (this layout has none) takes effect the day after the
  pair's previous row (by deletion date) was deleted, and is in force through its deletion date
  (`*`: for ever); the row in force on the claim's date of service decides;
- indicator 0 denies the column-2 line; 1 denies it unless a `bypass with modifier` modifier is
  on either line, or both lines carry site modifiers and none is on both; 9 never denies;
- a line is denied by PTP once, whatever the number of column-1 lines that deny it;
- MUE (practitioner rows): indicator 1 compares the line's units with the limit, 2 and 3 the
  units of all the claim's lines of the code; every line over it is denied.
"""

import json
import sys
import time

import duckdb

BYPASS = ["59", "XE", "XP", "XS", "XU", "24", "25", "57", "58", "78", "79", "27", "91"]
SITES = (
    ["E1", "E2", "E3", "E4", "FA"]
    + [f"F{i}" for i in range(1, 10)]
    + ["TA"]
    + [f"T{i}" for i in range(1, 10)]
    + ["LT", "RT", "LC", "LD", "RC", "LM", "RI"]
)


def sql_list(items):
    return "[" + ", ".join(f"'{i}'" for i in items) + "]"


def main():
    claims, ptp, mue, threads = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    con = duckdb.connect()
    con.execute(f"SET threads TO {threads}")

    started = time.perf_counter()
    con.execute(
        f"""
        CREATE TABLE claim_lines AS
        SELECT claim_id, line_number, service_date, code, units,
               list_has_any(mods, {sql_list(BYPASS)}) AS any_bypass,
               list_intersect(mods, {sql_list(SITES)}) AS sites
        FROM (
          SELECT *, string_split(coalesce(modifiers, ''), ' ') AS mods
          FROM read_csv('{claims}', delim = '\t', header = true, quote = '',
            columns = {{'claim_id': 'VARCHAR', 'line_number': 'INTEGER',
                        'service_date': 'DATE', 'code': 'VARCHAR', 'modifiers': 'VARCHAR',
                        'units': 'INTEGER'}})
        )
        """
    )
    # Each row's first day in force: the day after the pair's previous row was deleted. Two
    # rows of one pair deleted on the same day (one such pair in the 2024 Q2 table, with the
    # same indicator) tie: the engine keeps the first in file order, SQL one of them; either
    # gives the same denials.
    con.execute(
        f"""
        CREATE TABLE ptp AS
        SELECT column_1 AS c1, column_2 AS c2, indicator, until,
               coalesce(lag(until) OVER (PARTITION BY column_1, column_2 ORDER BY until)
                        + INTERVAL 1 DAY, DATE '0001-01-01')::DATE AS since
        FROM (
          SELECT column_1, column_2, modifier_indicator AS indicator,
                 CASE WHEN deletion_date IS NULL OR deletion_date = '*' THEN DATE '9999-12-31'
                      ELSE strptime(deletion_date, '%Y%m%d')::DATE END AS until
          FROM read_csv('{ptp}', delim = '\t', header = true, quote = '', all_varchar = true)
        )
        """
    )
    con.execute(
        f"""
        CREATE TABLE mue AS
        SELECT hcpcs AS code, mue_uos::DOUBLE AS limit_units, mai::INTEGER AS mai
        FROM read_csv('{mue}', delim = '\t', header = true, quote = '', all_varchar = true)
        WHERE service_type = 'Practitioner'
        """
    )
    load_seconds = time.perf_counter() - started

    query = """
        WITH ptp_denied AS (
          SELECT DISTINCT l2.claim_id, l2.line_number
          FROM claim_lines l2
          JOIN claim_lines l1
            ON l1.claim_id = l2.claim_id AND l1.line_number <> l2.line_number
          JOIN ptp p
            ON p.c1 = l1.code AND p.c2 = l2.code
           AND l2.service_date BETWEEN p.since AND p.until
          WHERE p.indicator = '0'
             OR (p.indicator = '1'
                 AND NOT (l1.any_bypass OR l2.any_bypass
                          OR (len(l2.sites) > 0 AND len(l1.sites) > 0
                              AND NOT list_has_any(l2.sites, l1.sites))))
        ),
        code_units AS (
          SELECT claim_id, code, sum(units) AS units FROM claim_lines GROUP BY claim_id, code
        ),
        mue_denied AS (
          SELECT l.claim_id, l.line_number
          FROM claim_lines l
          JOIN mue m ON m.code = l.code
          JOIN code_units u ON u.claim_id = l.claim_id AND u.code = l.code
          WHERE (m.mai = 1 AND l.units > m.limit_units)
             OR (m.mai IN (2, 3) AND u.units > m.limit_units)
        )
        SELECT (SELECT count(*) FROM ptp_denied), (SELECT count(*) FROM mue_denied)
    """
    started = time.perf_counter()
    ptp_count, mue_count = con.execute(query).fetchone()
    seconds = time.perf_counter() - started

    print(
        json.dumps(
            {
                "denials": ptp_count + mue_count,
                "ptp": ptp_count,
                "mue": mue_count,
                "seconds": seconds,
                "load_seconds": load_seconds,
                "threads": threads,
                "version": duckdb.__version__,
            }
        )
    )


if __name__ == "__main__":
    main()
