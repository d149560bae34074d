import Foundation
import TestSupport

/// Certificates made at test time with `openssl`: a CA, server certificates for sip.example.com
/// (DNS and sip: URI SANs), other.example.com (a second SNI name), wrong.example.net (a valid chain
/// for the wrong domain), a certificate from a CA nobody trusts, and a client certificate.
struct TestPKI: Sendable {
    let directory: String

    var caCert: String { "\(directory)/ca.crt" }
    func cert(_ name: String) -> String { "\(directory)/\(name).crt" }
    func key(_ name: String) -> String { "\(directory)/\(name).key" }

    /// Where the certificates are: only a path, so that naming it never waits. Tests await
    /// `made()` before reading a file there.
    static let shared = TestPKI(directory: NSTemporaryDirectory() + "palisade-pki-\(getpid())")

    /// The certificates, made once by a shell script on a thread of its own. A lazily made
    /// `static let` would run openssl inside the one-time initialiser, where every test that
    /// touched it would block a thread of the cooperative pool (two on this machine) and stall the
    /// whole suite for as long as openssl runs.
    private static let generation = Task<Void, any Error> {
        let dir = shared.directory
        let script = """
        set -e
        mkdir -p '\(dir)' && cd '\(dir)'
        ec() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }
        ec ca
        openssl req -x509 -new -key ca.key -subj '/CN=Palisade Test CA' -days 2 -out ca.crt \
            -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
        ec rogue-ca
        openssl req -x509 -new -key rogue-ca.key -subj '/CN=Rogue CA' -days 2 -out rogue-ca.crt \
            -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
        leaf() { # name cn san ca eku
            ec "$1"
            openssl req -new -key "$1.key" -subj "/CN=$2" -out "$1.csr"
            printf 'subjectAltName=%s\\nbasicConstraints=CA:FALSE\\nextendedKeyUsage=%s\\n' "$3" "$5" > "$1.ext"
            openssl x509 -req -in "$1.csr" -CA "$4.crt" -CAkey "$4.key" -CAcreateserial -days 2 \
                -extfile "$1.ext" -out "$1.crt" 2>/dev/null
        }
        leaf server sip.example.com 'DNS:sip.example.com,URI:sip:sip.example.com' ca serverAuth,clientAuth
        leaf other other.example.com 'DNS:other.example.com' ca serverAuth
        leaf wrong wrong.example.net 'DNS:wrong.example.net' ca serverAuth
        leaf rogue sip.example.com 'DNS:sip.example.com' rogue-ca serverAuth
        leaf client phone1.example.com 'DNS:phone1.example.com,URI:sip:alice@example.com' ca clientAuth
        """
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", script]
            p.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try p.run() } catch { continuation.resume(throwing: error) }
        }
        guard status == 0 else { throw PKIError(description: "openssl certificate generation failed: \(status)") }
    }

    static func made() async throws { try await generation.value }

    struct PKIError: Error, CustomStringConvertible { let description: String }

    /// A fresh directory with copies of `name`'s chain and key, for tests that overwrite them.
    func copy(_ name: String, as alias: String) throws -> (chain: String, key: String) {
        let dir = NSTemporaryDirectory() + "palisade-reload-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let chain = "\(dir)/\(alias).crt"
        let key = "\(dir)/\(alias).key"
        try FileManager.default.copyItem(atPath: cert(name), toPath: chain)
        try FileManager.default.copyItem(atPath: self.key(name), toPath: key)
        return (chain, key)
    }

    func replace(_ target: (chain: String, key: String), with name: String) throws {
        let fm = FileManager.default
        try fm.removeItem(atPath: target.chain)
        try fm.removeItem(atPath: target.key)
        try fm.copyItem(atPath: cert(name), toPath: target.chain)
        try fm.copyItem(atPath: key(name), toPath: target.key)
    }
}

/// Runs a command with stdin from `input`, returning exit status and stdout then stderr, on a
/// thread of its own (`Command.run`, with its watchdog). Not a readabilityHandler: that dispatch
/// read source crashed libdispatch's event loop when its descriptor was closed and reused before
/// the source's cancellation had run.
func run(_ executable: String, _ arguments: [String], input: String = "") async throws -> (status: Int32, output: String) {
    let result = try await Command.run(executable, arguments, input: input)
    return (result.status, result.stdout + result.stderr)
}
