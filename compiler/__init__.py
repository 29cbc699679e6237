"""The compiler: a period's documents as Sở Nội vụ finishes them (the compilation sheet, the drafts of the compiled
report and of the chasing letter), written from what ``core.usecases.compiling`` gathers. A format edge, as the
reader is: it writes Word and Excel files; the core decides what they say."""
