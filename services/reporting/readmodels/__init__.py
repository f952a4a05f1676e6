"""The read models every report answers from: tables built from events only (models, projections),
the snapshot of a past day, money by year, SDG attribution and dimension splits, the filters every
report takes, and the queries and report blocks they share. Reports import from here, never from
each other."""
