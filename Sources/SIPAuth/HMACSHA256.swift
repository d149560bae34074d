/// HMAC-SHA-256 (RFC 2104, vectors in RFC 4231), used to make nonces that only this process can mint.
public enum HMACSHA256 {
    public static let macByteCount = SHA256.digestByteCount

    public static func authenticate(_ message: some Collection<UInt8>, key: some Collection<UInt8>) -> [UInt8] {
        // RFC 2104 §2: keys longer than the block are hashed first, then every key is zero-padded.
        var block = key.count > SHA256.blockByteCount ? SHA256.hash(key) : Array(key)
        block.append(contentsOf: repeatElement(0, count: SHA256.blockByteCount - block.count))
        var inner = SHA256()
        inner.update(block.map { $0 ^ 0x36 })
        inner.update(message)
        let innerDigest = inner.finalize()
        var outer = SHA256()
        outer.update(block.map { $0 ^ 0x5c })
        outer.update(innerDigest)
        return outer.finalize()
    }
}
