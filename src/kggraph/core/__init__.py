"""The ground every other part stands on: errors, settings, namespaces, languages, formats, era
dates, a bounded memo."""
