/// The AlephTX version string.
public enum AlephGatewayVersion {
    /// Semantic version.
    public static let string = OpenRPC.version
}
