/// The version rule of the hello exchange, as a pure function both ends and the tests share.
public enum Handshake {
    /// The server's answer to a client's hello: its own hello, or a refusal naming both versions.
    public static func answer(_ hello: Hello, server: Hello) -> Result<Hello, ControlFailure> {
        guard hello.protocolVersion == server.protocolVersion else {
            return .failure(ControlFailure(
                .versionMismatch,
                "protocol version mismatch: \(hello.role) \(hello.software) speaks version \(hello.protocolVersion), "
                    + "\(server.role) \(server.software) speaks version \(server.protocolVersion)"))
        }
        return .success(server)
    }
}
