// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "AlephTX",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "alephtx", targets: ["alephtx"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/ordo-one/malloc-interposer.git", from: "1.6.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket.git", from: "1.6.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk.git", from: "0.12.1"),
        .package(url: "https://github.com/attaswift/BigInt.git", from: "6.0.1"),
    ],
    targets: [
        .target(name: "AlephCore"),
        .target(name: "AlephBook", dependencies: ["AlephCore"]),
        .target(name: "AlephRPC", dependencies: ["AlephCore"]),
        .target(name: "AlephRisk", dependencies: ["AlephCore", "AlephBook"]),
        .systemLibrary(name: "CSecp256k1", pkgConfig: "libsecp256k1", providers: [.apt(["libsecp256k1-dev"])]),
        // A C shim over the system OpenSSL's SHA-256, measured against swift-crypto's HMAC in `bench order-path`.
        .target(name: "CHMACShim", linkerSettings: [.linkedLibrary("crypto")]),
        // The system zlib (gzip recordings read by replay; plain files pass through).
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "AlephCrypto", dependencies: ["AlephCore", "AlephRPC", "CSecp256k1", "CHMACShim", .product(name: "Crypto", package: "swift-crypto"),
                                                .product(name: "BigInt", package: "BigInt")]),
        // Venue-free shared types: market events, book syncs, the wire scanner, and the feed and
        // executor protocols every venue conforms to. Pure.
        .target(name: "AlephVenueKit", dependencies: ["AlephCore", "AlephBook"]),
        // Venue-free transport: WebSocket runners, HTTP with timeouts, retries and rate-limit accounting.
        .target(
            name: "AlephNet",
            dependencies: [
                "AlephCore", "AlephBook", "AlephVenueKit", "AlephRPC",
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // One home per venue (Sim/, Paper/, Binance/, OKX/, Bybit/): wire messages, decoders, book
        // syncs, feed adapters, metadata, request builders, executors and reconcilers.
        .target(
            name: "AlephVenues",
            dependencies: [
                "AlephCore", "AlephBook", "AlephVenueKit", "AlephNet", "AlephCrypto", "AlephRPC",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "BigInt", package: "BigInt"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .target(
            name: "AlephGateway",
            dependencies: [
                "AlephCore", "AlephBook", "AlephRPC", "AlephVenueKit", "AlephVenues", "AlephRisk", "AlephNet", "AlephCrypto", "CZlib",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "BigInt", package: "BigInt"),
            ]
        ),
        // The MCP face: tools and resources generated from schemas/, served by the official MCP SDK
        // on the same engine as JSON-RPC.
        .target(
            name: "AlephMCP",
            dependencies: [
                "AlephGateway", "AlephRPC",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "alephtx",
            dependencies: [
                "AlephGateway", "AlephRPC", "AlephCore", "AlephRisk", "AlephBook", "AlephVenues", "AlephCrypto", "CSecp256k1", "CHMACShim", "AlephNet", "AlephMCP",
                .product(name: "MallocInterposerSwift", package: "malloc-interposer"),
                .product(name: "BigInt", package: "BigInt"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "AlephCoreTests", dependencies: ["AlephCore"]),
        .testTarget(name: "AlephBookTests", dependencies: ["AlephBook", "AlephCore"]),
        .testTarget(name: "AlephRPCTests", dependencies: ["AlephRPC", "AlephCore"]),
        .testTarget(name: "AlephMCPTests", dependencies: ["AlephMCP", "AlephGateway", "AlephRPC"]),
        .testTarget(name: "AlephCryptoTests", dependencies: ["AlephCrypto", "AlephRPC", "AlephCore", .product(name: "BigInt", package: "BigInt")]),
        .testTarget(name: "AlephRiskTests", dependencies: ["AlephRisk", "AlephBook", "AlephCore"]),
        .testTarget(name: "AlephVenuesTests", dependencies: ["AlephVenues", "AlephVenueKit", "AlephBook", "AlephCore", "AlephRPC", "AlephCrypto",
                                                           .product(name: "BigInt", package: "BigInt")]),
        .testTarget(
            name: "AlephGatewayTests",
            dependencies: [
                "AlephGateway", "AlephRPC", "AlephCore", "AlephVenueKit", "AlephVenues", "AlephRisk", "AlephBook", "AlephNet",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
