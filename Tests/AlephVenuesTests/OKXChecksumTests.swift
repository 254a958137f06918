import AlephCore
import Foundation
import Testing
@testable import AlephVenues

@Suite struct OKXChecksumTests {
    @Test func crc32CheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926) // the standard CRC-32 check value
        #expect(CRC32.checksum([UInt8]()) == 0)
    }

    @Test func interleavesAndSkipsExhaustedSide() {
        let s = OKXChecksum.string(bids: [("3366.1", "7"), ("3366", "6")], asks: [("3366.8", "9")])
        #expect(s == "3366.1:7:3366.8:9:3366:6")
    }

    @Test func sharedVectors() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/vectors/cex_hmac_vectors.json").path
        guard let data = FileManager.default.contents(atPath: path) else {
            print("skipping okx_checksum vectors: \(path) not found (CI always has ../shared)")
            return
        }
        let root = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let cases = root["okx_checksum"] as! [[String: Any]]
        for c in cases {
            let levels = { (k: String) in (c[k] as! [[String]]).map { (price: $0[0], size: $0[1]) } }
            #expect(OKXChecksum.string(bids: levels("bids"), asks: levels("asks")) == c["checksum_string"] as? String)
            #expect(Int(OKXChecksum.compute(bids: levels("bids"), asks: levels("asks"))) == (c["checksum_signed_int32"] as! NSNumber).intValue)
        }
        #expect(cases.count == 4)
    }
}
