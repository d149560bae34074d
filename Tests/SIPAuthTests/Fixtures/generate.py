#!/usr/bin/env python3
"""Regenerates the SIPAuth fixtures with Python's hashlib/hmac, an implementation independent of
the Swift code under test. The published vectors (RFC 1321 A.5, FIPS 180-4 / NIST examples,
RFC 4231 §4, RFC 7616 §3.9.1) come out identical; the REGISTER requests use documentation
addresses and a fixed nonce secret, time and salt that the tests repeat."""
import hashlib, hmac, os

here = os.path.dirname(os.path.abspath(__file__))

def write(name, text):
    with open(os.path.join(here, name), "w", newline="") as f:
        f.write(text)

def expand(spec):
    kind, _, rest = spec.partition(":")
    if kind == "text": return rest.encode()
    if kind == "hex": return bytes.fromhex(rest)
    if kind == "repeat":
        count, _, unit = rest.partition(":")
        return unit.encode() * int(count)
    raise ValueError(spec)

hash_inputs = [
    # RFC 1321 A.5 test suite
    "text:", "text:a", "text:abc", "text:message digest", "text:abcdefghijklmnopqrstuvwxyz",
    "text:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
    "repeat:8:1234567890",
    # NIST (FIPS 180-2 appendix B) examples, including the two-block and the million-'a' message
    "text:abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
    "text:abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
    "repeat:1000000:a",
    # padding edges: 55 fits one block, 56 forces a second, 64 is one exact block, 119/120/128 likewise
    "repeat:55:a", "repeat:56:a", "repeat:57:a", "repeat:63:a", "repeat:64:a", "repeat:65:a",
    "repeat:119:b", "repeat:120:b", "repeat:128:b", "repeat:1000:xyz",
    "hex:00ff80",
]
lines = ["# algorithm<TAB>input<TAB>expected hex (input: text:…, hex:…, repeat:count:unit)\n"]
for spec in hash_inputs:
    for algo, name in (("md5", "MD5"), ("sha256", "SHA-256")):
        lines.append(f"{name}\t{spec}\t{hashlib.new(algo, expand(spec)).hexdigest()}\n")
write("hash-vectors.txt", "".join(lines))

# RFC 4231 §4.2-4.8 (case 5 is truncated to 128 bits in the RFC; the full MAC is listed here)
hmac_cases = [
    ("hex:" + "0b" * 20, "text:Hi There"),
    ("text:Jefe", "text:what do ya want for nothing?"),
    ("hex:" + "aa" * 20, "hex:" + "dd" * 50),
    ("hex:0102030405060708090a0b0c0d0e0f10111213141516171819", "hex:" + "cd" * 50),
    ("hex:" + "0c" * 20, "text:Test With Truncation"),
    ("hex:" + "aa" * 131, "text:Test Using Larger Than Block-Size Key - Hash Key First"),
    ("hex:" + "aa" * 131, "text:This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm."),
]
lines = ["# RFC 4231 test cases 1-7: key<TAB>data<TAB>HMAC-SHA-256 hex\n"]
for key, data in hmac_cases:
    lines.append(f"{key}\t{data}\t{hmac.new(expand(key), expand(data), hashlib.sha256).hexdigest()}\n")
write("hmac-sha256-vectors.txt", "".join(lines))

def H(algo, s): return hashlib.new(algo, s.encode()).hexdigest()

users = [("alice", "example.com", "wonderland"), ("bob", "example.com", "builder")]
lines = ["# username realm algorithm:HA1, HA1 = H(username:realm:password)\n",
         "# alice's password is 'wonderland', bob's is 'builder' (test fixtures only)\n", "\n"]
for user, realm, password in users:
    for algo, name in (("sha256", "SHA-256"), ("md5", "MD5")):
        lines.append(f"{user} {realm} {name}:{H(algo, f'{user}:{realm}:{password}')}\n")
write("users.txt", "".join(lines))

# Nonce as NonceAuthority mints it: secret 00 01 … 1f, now 1,000,000 ms, salt 0x0123456789abcdef,
# bound to client address "192.0.2.10".
secret = bytes(range(32))
body = (1_000_000).to_bytes(8, "big") + (0x0123456789abcdef).to_bytes(8, "big")
address = b"192.0.2.10"
mac = hmac.new(secret, b"palisade-nonce-v1" + body + len(address).to_bytes(8, "big") + address, hashlib.sha256).digest()[:16]
nonce = body.hex() + mac.hex()

def register(algorithm, algo, user, password, cnonce, nc, sess=False):
    realm, uri = "example.com", "sip:example.com"
    ha1 = H(algo, f"{user}:{realm}:{password}")
    if sess: ha1 = H(algo, f"{ha1}:{nonce}:{cnonce}")
    ha2 = H(algo, f"REGISTER:{uri}")
    response = H(algo, f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
    return ("REGISTER sip:example.com SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds\r\n"
            "Max-Forwards: 70\r\n"
            f"To: <sip:{user}@example.com>\r\n"
            f"From: <sip:{user}@example.com>;tag=1928301774\r\n"
            "Call-ID: a84b4c76e66710@192.0.2.10\r\n"
            "CSeq: 2 REGISTER\r\n"
            f"Contact: <sip:{user}@192.0.2.10:5060>\r\n"
            f"Authorization: Digest username=\"{user}\", realm=\"{realm}\", nonce=\"{nonce}\", uri=\"{uri}\", "
            f"response=\"{response}\", algorithm={algorithm}, cnonce=\"{cnonce}\", qop=auth, nc={nc}\r\n"
            "Expires: 3600\r\n"
            "Content-Length: 0\r\n\r\n")

write("register-sha256.sip", register("SHA-256", "sha256", "alice", "wonderland", "0a4f113b", "00000001"))
write("register-md5.sip", register("MD5", "md5", "bob", "builder", "6629fae4", "00000001"))
write("register-sha256-sess.sip", register("SHA-256-sess", "sha256", "alice", "wonderland", "f00dcafe", "00000001", sess=True))
write("register-md5-wrong-password.sip", register("MD5", "md5", "bob", "bulldozer", "6629fae4", "00000001"))
