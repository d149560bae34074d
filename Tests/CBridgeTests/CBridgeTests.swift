import CLibNFTNL
import CLibSRTP
import COpenSSL
import Testing

/// One call into each C library through its bridge, so a broken pkg-config, header or link line
/// fails here with the library's name rather than deep inside a wrapper.
@Suite("C bridges")
struct CBridgeTests {
    @Test("libsrtp2: initialise, create and free a session")
    func srtpSession() {
        // libsrtp 2.5 answers a second srtp_init in one process with bad_param (the SRTP tests in
        // this process may have initialised it first); both mean the library is ready. No
        // srtp_shutdown: it would pull the library from under those tests.
        let status = srtp_init()
        #expect(status == srtp_err_status_ok || status == srtp_err_status_bad_param)
        var session: srtp_t? = nil
        #expect(srtp_create(&session, nil) == srtp_err_status_ok)
        #expect(session != nil)
        #expect(srtp_dealloc(session) == srtp_err_status_ok)
    }

    @Test("OpenSSL: version is 3.x")
    func openSSLVersion() {
        let major = OPENSSL_version_major()
        #expect(major >= 3)
        let text = String(cString: OpenSSL_version(Int32(OPENSSL_VERSION)))
        #expect(text.hasPrefix("OpenSSL "))
    }

    @Test("libnftnl: allocate, name and free a table")
    func nftnlTable() {
        guard let table = nftnl_table_alloc() else {
            Issue.record("nftnl_table_alloc returned NULL")
            return
        }
        nftnl_table_set_str(table, UInt16(NFTNL_TABLE_NAME.rawValue), "palisade")
        nftnl_table_set_u32(table, UInt16(NFTNL_TABLE_FAMILY.rawValue), UInt32(NFPROTO_INET))
        #expect(String(cString: nftnl_table_get_str(table, UInt16(NFTNL_TABLE_NAME.rawValue))) == "palisade")
        nftnl_table_free(table)
    }
}
