"""The application layer, free of Qt: what each view shows and why (requests, outcomes,
headline sentences, table rows, messages), tested without a display.
"""
