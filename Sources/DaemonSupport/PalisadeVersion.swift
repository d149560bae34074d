/// The software version both daemons report in the control handshake, status and metrics.
public enum PalisadeVersion {
    public static let current = "0.1.0"
}
