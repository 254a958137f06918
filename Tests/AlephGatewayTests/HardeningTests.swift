import Foundation
import Testing
@testable import AlephGateway

@Suite struct HardeningTests {
    func tempDir() -> String {
        let d = NSTemporaryDirectory() + "alephtx-hardening-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    @Test func ledgerLockIsExclusiveAndNamesTheHolder() throws {
        let path = tempDir() + "/ledger.sqlite"
        let first = try LedgerLock(ledgerPath: path)
        do {
            _ = try LedgerLock(ledgerPath: path)
            Issue.record("a second lock on the same ledger was granted")
        } catch {
            #expect(error.code == "ledger_locked")
            #expect(error.message.contains("pid \(getpid())"))
        }
        withExtendedLifetime(first) {}
    }

    @Test func ledgerLockIsFreedWithItsHolder() throws {
        let path = tempDir() + "/ledger.sqlite"
        do { _ = try LedgerLock(ledgerPath: path) }
        _ = try LedgerLock(ledgerPath: path)
    }

    @Test func ledgerFilesArePrivate() throws {
        let path = tempDir() + "/ledger.sqlite"
        let old = umask(0o022)
        defer { umask(old) }
        LedgerLock.makePrivate(ledgerPath: path)
        let l = try Ledger(path: path)
        _ = l.append([.event(kind: "restart", ref: nil, at: 1, data: .null)])
        l.waitDurable()
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            var st = stat()
            stat(path + suffix, &st)
            #expect(st.st_mode & 0o777 == 0o600, "\(suffix) is \(String(st.st_mode & 0o777, radix: 8))")
        }
    }

    @Test func dataDirectoryIsCreatedPrivateAndFollowsHome() throws {
        let d = tempDir() + "/a/b"
        try DataDirectory.prepare(d)
        var st = stat()
        stat(d, &st)
        #expect(st.st_mode & 0o777 == 0o700)
        #expect(DataDirectory.expand("~/x") == (DataDirectory.home as NSString).appendingPathComponent("x"))
        #expect(DataDirectory.resolve("/explicit") == "/explicit")
    }

    @Test func authThrottleLocksOutASourceAndForgetsOldFailures() {
        var t = AuthThrottle()
        let s: Int64 = 1_000_000_000_000
        for k in 0..<AuthThrottle.perSource - 1 { _ = t.fail(source: "10.0.0.1", now: s + Int64(k)) }
        #expect(t.lockedOut(source: "10.0.0.1", now: s + 100) == nil)
        _ = t.fail(source: "10.0.0.1", now: s + 100)
        let wait = t.lockedOut(source: "10.0.0.1", now: s + 1_000_000_000)
        #expect(wait != nil && wait! > 58_000 && wait! <= 60_000)
        #expect(t.lockedOut(source: "10.0.0.2", now: s + 100) == nil)
        #expect(t.lockedOut(source: "10.0.0.1", now: s + AuthThrottle.window + 1) == nil)
    }
}
