"""The collaborators' offline app: their hamlet kept on the phone, and the changes it queued, synced.

``snapshot`` builds what a phone keeps (the hamlet's records, the reference lists, the month's report
cells, the limits); ``sync`` applies a batch of queued changes exactly once each, and answers a change
made against an older version with a conflict carrying both versions. The pages (``portal.web.routes_field``)
serve the app shell, its service worker (Workbox, vendored) and the manifest.
"""
