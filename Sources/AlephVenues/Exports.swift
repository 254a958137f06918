// The shared venue types (market events, syncs, feed and executor protocols) come with every venue.
@_exported import AlephVenueKit
