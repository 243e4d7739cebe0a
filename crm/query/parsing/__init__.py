"""The offline parser's parts: the scanned question, the lexicon and scanners, the recognisers of each kind of
question, and the clarifying replies. crm.query.parser puts them together and keeps the public API."""
