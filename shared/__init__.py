"""What every Xarxa service uses: settings, database, events, outbox, consumers, errors, logging."""
