import AlephCore
import AlephRPC
import AlephVenues

/// Where a `place_signal` stands after its checks.
enum SignalStep {
    /// Answered without a send: a duplicate, a gate rejection, a preview.
    case answer(JSON)
    /// Approved, its order journaled: ready to go to its venue.
    case ready(ReadySignal)
    /// Repeats an intent placed earlier in the same batch: answered after the batch.
    case inBatch
}

/// An approved signal whose order is journaled and ready to be sent.
struct ReadySignal {
    /// The request.
    var req: SignalRequest
    /// Its raw params (journaled with the outcome).
    var params: JSON?
    /// The instrument.
    var inst: Instrument
    /// The book freshness it was decided on.
    var decidedOn: JSON
    /// The venue is remote: write-ahead before the send.
    var remote: Bool
    /// What goes to the executor.
    var request: SubmitRequest
}
