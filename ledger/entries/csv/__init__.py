"""CSV export and import of entries: the services behind GET /entries/export.csv and POST /entries/import.

By job: `codec` (the file's text: BOM, UTF-8, escapes, formula quoting), `export` (the export query),
`import_plan` (parse the rows and resolve their names, nothing written), `import_write` (write a plan).

The file format (also in the OpenAPI descriptions, see ledger.entries.csv_routes.FORMAT_DOC):

* UTF-8, with a BOM on export (accepted, not required, on import); RFC 4180 quoting; CRLF line ends on export.
* Header ``occurred_on,type,account,to_account,category,amount,memo,tags,split_group,split_total,split_memo``;
  one entry per record, except a split entry: one record per line (category, amount, memo of the line) with
  the same ``split_group``, ``split_total`` (the entry's amount) and ``split_memo`` (the entry's memo). The
  import also takes the 8-column header without the split columns.
* ``amount`` is an integer of minor units. ``account``, ``to_account`` and ``category`` are names.
* ``category`` of a child category is ``Parent/Child``. Inside a name, ``\\`` is written ``\\\\`` and ``/``
  is written ``\\/``, so every name round-trips.
* ``tags`` are joined by ``;``. Inside a tag, ``\\`` is written ``\\\\`` and ``;`` is written ``\\;``.
* Formula injection: a text cell that starts with ``=``, ``+``, ``-``, ``@``, TAB or CR (or with ``'``
  followed by one of those or by another ``'``) gets a leading ``'``; import removes exactly that quote.
  ``amount`` is never quoted this way (it is a plain number).
"""
