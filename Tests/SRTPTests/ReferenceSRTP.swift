import COpenSSL
import SRTP

/// An independent SRTP transform for checking libsrtp2: RFC 3711 §4.1.1 (AES-CM), §4.2.1
/// (HMAC-SHA1), §4.3 (key derivation) and RFC 7714 §8-§9 (GCM), written directly over OpenSSL's
/// AES, HMAC and GCM primitives. Slow, allocating and test-only; it shares no code with libsrtp2
/// beyond OpenSSL's block cipher, which the RFC vectors check on their own.
enum ReferenceSRTP {
    struct SessionKeys: Equatable {
        var cipherKey: [UInt8]
        var cipherSalt: [UInt8]
        var authKey: [UInt8]
    }

    /// RFC 3711 §4.3.3 labels.
    enum Label: UInt8 {
        case rtpEncryption = 0, rtpAuthentication = 1, rtpSalt = 2
        case rtcpEncryption = 3, rtcpAuthentication = 4, rtcpSalt = 5
    }

    // MARK: Primitives

    /// AES (128 or 256 by key length) of one 16-byte block.
    static func aesBlock(key: [UInt8], _ block: [UInt8]) -> [UInt8] {
        precondition(block.count == 16)
        let context = EVP_CIPHER_CTX_new()
        defer { EVP_CIPHER_CTX_free(context) }
        let cipher = key.count == 32 ? EVP_aes_256_ecb() : EVP_aes_128_ecb()
        var out = [UInt8](repeating: 0, count: 32)
        var outLength: Int32 = 0
        let initialised = EVP_EncryptInit_ex(context, cipher, nil, key, nil)
        let unpadded = EVP_CIPHER_CTX_set_padding(context, 0)
        let encrypted = EVP_EncryptUpdate(context, &out, &outLength, block, 16)
        precondition(initialised == 1 && unpadded == 1 && encrypted == 1 && outLength == 16)
        return Array(out[..<16])
    }

    /// RFC 3711 §4.1.1 AES-CM: keystream blocks `first..<first+count` from the 128-bit counter
    /// `iv` (the counter is incremented as one big-endian integer).
    static func aesCMKeystream(key: [UInt8], iv: [UInt8], firstBlock: Int = 0, length: Int) -> [UInt8] {
        var out: [UInt8] = []
        var block = firstBlock
        while out.count < length {
            out += aesBlock(key: key, add(iv, UInt64(block)))
            block += 1
        }
        return Array(out[..<length])
    }

    private static func add(_ counter: [UInt8], _ value: UInt64) -> [UInt8] {
        var result = counter
        var carry = value
        var index = 15
        while carry != 0, index >= 0 {
            let sum = UInt64(result[index]) + (carry & 0xFF)
            result[index] = UInt8(truncatingIfNeeded: sum)
            carry = (carry >> 8) + (sum >> 8)
            index -= 1
        }
        return result
    }

    static func hmacSHA1(key: [UInt8], _ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 20)
        var outLength = 0
        let result = EVP_Q_mac(nil, "HMAC", nil, "SHA1", nil, key, key.count, data, data.count, &out, out.count, &outLength)
        precondition(result != nil && outLength == 20)
        return out
    }

    /// AES-GCM encryption with a 96-bit IV: ciphertext || 16-byte tag.
    static func gcmSeal(key: [UInt8], iv: [UInt8], aad: [UInt8], plaintext: [UInt8]) -> [UInt8] {
        precondition(iv.count == 12)
        let context = EVP_CIPHER_CTX_new()
        defer { EVP_CIPHER_CTX_free(context) }
        let cipher = key.count == 32 ? EVP_aes_256_gcm() : EVP_aes_128_gcm()
        var out = [UInt8](repeating: 0, count: plaintext.count + 16)
        var length: Int32 = 0
        var tail: Int32 = 0
        var tag = [UInt8](repeating: 0, count: 16)
        var ok = EVP_EncryptInit_ex(context, cipher, nil, key, iv) == 1
        ok = ok && EVP_EncryptUpdate(context, nil, &length, aad, Int32(aad.count)) == 1
        ok = ok && EVP_EncryptUpdate(context, &out, &length, plaintext, Int32(plaintext.count)) == 1
        ok = ok && out.withUnsafeMutableBufferPointer { buffer in
            EVP_EncryptFinal_ex(context, buffer.baseAddress! + Int(length), &tail) == 1
        }
        // EVP_CTRL_AEAD_GET_TAG (openssl/evp.h); the macro alias EVP_CTRL_GCM_GET_TAG is not imported.
        ok = ok && EVP_CIPHER_CTX_ctrl(context, 0x10, 16, &tag) == 1
        precondition(ok && length + tail == Int32(plaintext.count))
        return Array(out[..<plaintext.count]) + tag
    }

    // MARK: Key derivation

    /// RFC 3711 §4.3.1/§4.3.3 with key derivation rate 0 (index DIV 0 = 0): the AES-CM PRF over
    /// x = (label || 0^48) XOR master salt. A 96-bit GCM master salt is zero-padded on the right
    /// to 112 bits (RFC 7714 §11).
    static func derive(masterKey: [UInt8], masterSalt: [UInt8], label: Label, length: Int) -> [UInt8] {
        var x = masterSalt + [UInt8](repeating: 0, count: 14 - masterSalt.count)
        x[7] ^= label.rawValue
        return aesCMKeystream(key: masterKey, iv: x + [0, 0], length: length)
    }

    static func sessionKeys(_ master: SRTPMasterKey, rtcp: Bool = false) -> SessionKeys {
        let key = Array(master.key)
        let salt = Array(master.salt)
        let suite = master.suite
        return SessionKeys(
            cipherKey: derive(masterKey: key, masterSalt: salt, label: rtcp ? .rtcpEncryption : .rtpEncryption, length: suite.keyLength),
            cipherSalt: derive(masterKey: key, masterSalt: salt, label: rtcp ? .rtcpSalt : .rtpSalt, length: suite.saltLength),
            authKey: suite.isAEAD ? [] : derive(masterKey: key, masterSalt: salt, label: rtcp ? .rtcpAuthentication : .rtpAuthentication, length: 20)
        )
    }

    // MARK: Packets

    private static func rtpHeaderLength(_ packet: [UInt8]) -> Int {
        precondition(packet[0] & 0x10 == 0, "the reference handles no header extension")
        return 12 + 4 * Int(packet[0] & 0x0F)
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    /// SRTP protect (RFC 3711 §3.1, §4.1.1, §4.2; RFC 7714 §8.1, §9.1) with rollover counter `roc`.
    static func protectRTP(_ packet: [UInt8], keys: SessionKeys, suite: SRTPSuite, roc: UInt32) -> [UInt8] {
        let headerLength = rtpHeaderLength(packet)
        let header = Array(packet[..<headerLength])
        let payload = Array(packet[headerLength...])
        let ssrc = Array(packet[8..<12])
        let seq = Array(packet[2..<4])
        if suite.isAEAD {
            // RFC 7714 §8.1: IV = (0x0000 || SSRC || ROC || SEQ) XOR salt.
            let block: [UInt8] = [0, 0] + ssrc + bigEndian(roc) + seq
            let iv = zip(block, keys.cipherSalt).map { $0 ^ $1 }
            return header + gcmSeal(key: keys.cipherKey, iv: iv, aad: header, plaintext: payload)
        }
        // RFC 3711 §4.1.1: IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16), i = ROC || SEQ.
        var iv = keys.cipherSalt + [0, 0]
        for (offset, byte) in (ssrc + bigEndian(roc) + seq).enumerated() {
            iv[4 + offset] ^= byte
        }
        let keystream = aesCMKeystream(key: keys.cipherKey, iv: iv, length: payload.count)
        let encrypted = header + zip(payload, keystream).map { $0 ^ $1 }
        // RFC 3711 §4.2: the tag covers the packet and the ROC.
        let tag = hmacSHA1(key: keys.authKey, encrypted + bigEndian(roc))
        return encrypted + tag[..<suite.rtpTagLength]
    }

    /// SRTCP protect, encrypted (E = 1), with SRTCP index `index` (RFC 3711 §3.4; RFC 7714 §9.2).
    static func protectRTCP(_ packet: [UInt8], keys: SessionKeys, suite: SRTPSuite, index: UInt32) -> [UInt8] {
        let header = Array(packet[..<8])
        let body = Array(packet[8...])
        let ssrc = Array(packet[4..<8])
        let trailer = bigEndian(0x8000_0000 | index)
        if suite.isAEAD {
            // RFC 7714 §9.1: IV = (0x0000 || SSRC || 0x0000 || 0 || index) XOR salt;
            // AAD = the first 8 octets || E || index.
            let block: [UInt8] = [0, 0] + ssrc + [0, 0] + bigEndian(index)
            let iv = zip(block, keys.cipherSalt).map { $0 ^ $1 }
            return header + gcmSeal(key: keys.cipherKey, iv: iv, aad: header + trailer, plaintext: body) + trailer
        }
        var iv = keys.cipherSalt + [0, 0]
        for (offset, byte) in (ssrc + [0, 0] + bigEndian(index)).enumerated() {
            iv[4 + offset] ^= byte
        }
        let keystream = aesCMKeystream(key: keys.cipherKey, iv: iv, length: body.count)
        let authenticated = header + zip(body, keystream).map { $0 ^ $1 } + trailer
        let tag = hmacSHA1(key: keys.authKey, authenticated)
        return authenticated + tag[..<suite.rtcpTagLength]
    }
}
