import NIOCore
#if canImport(Glibc)
import Glibc
#endif
import NIOSSL
import Synchronization

/// The TLS state of one listener: one context for every connection and the certificate chosen
/// per SNI name. `reload()` reads the PEM files again and swaps the certificate table; a
/// connection keeps the certificate it was accepted with, so established connections are not
/// touched.
///
/// Session resumption: BoringSSL keeps the ticket keys in the `SSL_CTX` and rotates them itself
/// (a new key every 48 hours, the previous one still accepted). Every SNI name of the listener is
/// served by the same context (the certificate is set per connection by the SNI callback), so
/// they share the keys, and a certificate reload keeps the context, so tickets issued before it
/// still resume after it. Only a changed CA bundle for client certificates needs a new context
/// (and with it new ticket keys: each client then pays one full handshake).
final class TLSServerContexts: Sendable {
    /// One loaded certificate: chain and key, ready to hand to a handshake.
    struct Loaded: Sendable {
        var chain: [NIOSSLCertificateSource]
        var key: NIOSSLPrivateKeySource
        /// The chain's first certificate, for `palisadectl tls certificates`.
        var leaf: NIOSSLCertificate
    }

    struct Table: Sendable {
        var context: NIOSSLContext
        var byName: [String: Loaded]
        var fallback: Loaded
        /// Every configured certificate in the order of the spec, with its files.
        var loaded: [(files: TLSCertificateFiles, certificate: Loaded)] = []
        /// The CA bundle's bytes the context trusts for client certificates.
        var caBundle: [UInt8]?
    }

    let spec: TLSServerSpec
    private let table: Mutex<Table?>

    init(spec: TLSServerSpec) throws(TransportError) {
        self.spec = spec
        self.table = Mutex(nil)
        try reload()
    }

    /// The context for a new connection.
    var context: NIOSSLContext {
        table.withLock { $0!.context }
    }

    /// Reads every PEM file again. On any error the old state stays.
    func reload() throws(TransportError) {
        guard let first = spec.certificates.first else {
            throw TransportError(.tlsConfiguration, "a TLS listener needs at least one certificate")
        }
        var byName: [String: Loaded] = [:]
        var fallback: Loaded?
        var all: [(files: TLSCertificateFiles, certificate: Loaded)] = []
        for files in spec.certificates {
            let loaded = try Self.load(files)
            all.append((files, loaded))
            if files == first { fallback = loaded }
            for name in files.serverNames { byName[name.lowercased()] = loaded }
        }
        guard let fallback else { throw TransportError(.tlsConfiguration, "no default certificate") }
        var caBundle: [UInt8]?
        if spec.clientCertificates != .none {
            guard let ca = spec.caBundlePath else {
                throw TransportError(.tlsConfiguration, "client certificates need caBundlePath")
            }
            guard let bytes = FileBytes.read(ca) else {
                throw TransportError(.tlsConfiguration, "CA bundle \(ca): cannot read it")
            }
            caBundle = bytes
        }
        let running = table.withLock { $0 }
        let context: NIOSSLContext
        if let running, running.caBundle == caBundle {
            context = running.context
        } else {
            context = try makeContext(fallback: fallback, caBundle: caBundle)
        }
        let new = Table(context: context, byName: byName, fallback: fallback, loaded: all, caBundle: caBundle)
        table.withLock { $0 = new }
    }

    private func makeContext(fallback: Loaded, caBundle: [UInt8]?) throws(TransportError) -> NIOSSLContext {
        var config = TLSConfiguration.makeServerConfiguration(certificateChain: fallback.chain,
                                                               privateKey: fallback.key)
        TLSServerContexts.apply(spec.cipherPolicy, to: &config)
        switch spec.clientCertificates {
        case .none:
            config.certificateVerification = .none
        case .optional:
            config.certificateVerification = .optionalVerification
        case .required:
            config.certificateVerification = .noHostnameVerification
        }
        if let caBundle {
            do {
                config.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(caBundle))
            } catch {
                throw TransportError(.tlsConfiguration, "CA bundle \(spec.caBundlePath ?? ""): \(error)")
            }
            config.sendCANameList = true
        }
        // SNI: every hello picks its certificate from the current table. The table is read at
        // hello time, so a reload applies to the next handshake and never to a running one.
        config.sslContextCallback = { [weak self] values, promise in
            var override = NIOSSLContextConfigurationOverride()
            if let self {
                let chosen = self.certificate(forServerName: values.serverHostname)
                override.certificateChain = chosen.chain
                override.privateKey = chosen.key
            }
            promise.succeed(override)
        }
        do {
            return try NIOSSLContext(configuration: config)
        } catch {
            throw TransportError(.tlsConfiguration, "\(error)")
        }
    }

    /// The leaf certificate of every configured certificate, with its files, as last (re)loaded.
    var leaves: [(files: TLSCertificateFiles, certificate: NIOSSLCertificate)] {
        table.withLock { t in t?.loaded.map { ($0.files, $0.certificate.leaf) } ?? [] }
    }

    func certificate(forServerName name: String?) -> Loaded {
        table.withLock { t in
            if let name, let hit = t!.byName[name.lowercased()] { return hit }
            return t!.fallback
        }
    }

    static func load(_ files: TLSCertificateFiles) throws(TransportError) -> Loaded {
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(files.chainPath)
            guard !chain.isEmpty else { throw TransportError(.tlsConfiguration, "no certificate in \(files.chainPath)") }
            let key = try NIOSSLPrivateKey(file: files.keyPath, format: .pem)
            return Loaded(chain: chain.map { .certificate($0) }, key: .privateKey(key), leaf: chain[0])
        } catch let e as TransportError {
            throw e
        } catch {
            throw TransportError(.tlsConfiguration, "\(files.chainPath) / \(files.keyPath): \(error)")
        }
    }

    static func apply(_ policy: TLSCipherPolicy, to config: inout TLSConfiguration) {
        switch policy.minimumVersion {
        case .v1_2: config.minimumTLSVersion = .tlsv12
        case .v1_3: config.minimumTLSVersion = .tlsv13
        }
        config.maximumTLSVersion = .tlsv13
        config.cipherSuites = policy.tls12CipherSuites
        config.renegotiationSupport = .none
    }
}

/// A whole file's bytes, or nil if it cannot be read (for comparing a CA bundle across reloads).
enum FileBytes {
    static func read(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if n > 0 { bytes.append(contentsOf: chunk[0..<n]) }
            if n < chunk.count { return ferror(file) == 0 ? bytes : nil }
        }
    }
}
