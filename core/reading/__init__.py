"""Reading a plan document (kế hoạch) into a draft plan file: the wording rules.

The document arrives as ``Piece``s of text (``reader/`` turns a .docx, .pdf, .txt or .html into them); here they
become paragraphs (``layout``), the header and the closing by the form Nghị định 30/2020/NĐ-CP sets (``header``),
the plan's structure (``outline``), the agencies each item names (``names``), who does what (``duties``), the
reporting clauses (``reports``), and a draft (``draft``) that ``render`` writes as a plan file. Nothing here reads a
file or the database.
"""
