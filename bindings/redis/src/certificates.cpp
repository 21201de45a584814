#include <rcplan/error.hpp>
#include <rcplan/redis/certificates.hpp>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>

#include <array>
#include <climits>
#include <cstring>
#include <ctime>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

namespace rcplan::redis {

namespace {

const std::string error_id = "rcplan.redis.certificates";

template <auto Free>
struct openssl_free {
  template <typename T>
  void operator()(T* p) const noexcept {
    Free(p);
  }
};

using bio_ptr = std::unique_ptr<BIO, openssl_free<BIO_free_all>>;
using bignum_ptr = std::unique_ptr<BIGNUM, openssl_free<BN_free>>;
using key_ptr = std::unique_ptr<EVP_PKEY, openssl_free<EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, openssl_free<X509_free>>;
using extension_ptr = std::unique_ptr<X509_EXTENSION, openssl_free<X509_EXTENSION_free>>;
using string_ptr = std::unique_ptr<ASN1_STRING, openssl_free<ASN1_STRING_free>>;
using general_name_ptr = std::unique_ptr<GENERAL_NAME, openssl_free<GENERAL_NAME_free>>;
using general_names_ptr = std::unique_ptr<GENERAL_NAMES, openssl_free<GENERAL_NAMES_free>>;

/// Throws for a failed OpenSSL step with the reasons OpenSSL queued for it.
[[noreturn]] void fail(const std::string& step) {
  std::string reasons;
  for (unsigned long code = ERR_get_error(); code != 0; code = ERR_get_error()) {
    std::array<char, 256> text{};
    ERR_error_string_n(code, text.data(), text.size());
    if (!reasons.empty()) reasons += "; ";
    reasons += text.data();
  }
  throw error(error_id, reasons.empty() ? step + " failed" : step + " failed: " + reasons);
}

/// `name` ends up in a file name under `dir`: a path in it would write somewhere else.
pem_pair files_for(const std::filesystem::path& dir, const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos)
    throw error(error_id, "\"" + printable(name) + "\" is no file name for a certificate");
  return {dir / (name + ".crt"), dir / (name + ".key")};
}

void make_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw error(error_id, "cannot create the directory " + dir.string() + ": " + ec.message());
}

/// Written beside its final name and renamed over it, so that a server reloading its
/// certificates reads the old file or the new one, never half of one. A private key is made
/// owner-only before its first byte is written, not after.
void write_file(const std::filesystem::path& path, std::string_view bytes, bool private_key) {
  std::filesystem::path part = path;
  part += ".part";
  std::error_code ec;
  const auto give_up = [&](const std::string& why) {
    std::error_code ignored;
    std::filesystem::remove(part, ignored);
    throw error(error_id, why);
  };
  std::ofstream out(part, std::ios::binary | std::ios::trunc);
  if (!out) give_up("cannot create " + part.string());
  if (private_key) {
    std::filesystem::permissions(part, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                                 std::filesystem::perm_options::replace, ec);
    if (ec) give_up("cannot make " + part.string() + " readable by its owner only: " + ec.message());
  }
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) give_up("cannot write " + part.string());
  std::filesystem::rename(part, path, ec);
  if (ec) give_up("cannot rename " + part.string() + " to " + path.string() + ": " + ec.message());
}

/// The PEM a write function puts in a memory BIO, straight to `path`. Keys go through
/// OpenSSL's secure memory BIO, which wipes its buffer when freed.
template <typename Write>
void write_pem(const std::filesystem::path& path, bool private_key, const std::string& step, Write write) {
  bio_ptr bio{BIO_new(private_key ? BIO_s_secmem() : BIO_s_mem())};
  if (!bio) fail("BIO_new for " + path.string());
  if (write(bio.get()) != 1) fail(step + " of " + path.string());
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  if (size <= 0 || data == nullptr) fail(step + " of " + path.string());
  write_file(path, std::string_view{data, static_cast<std::size_t>(size)}, private_key);
}

void write_pair(const pem_pair& files, X509* cert, EVP_PKEY* key) {
  write_pem(files.key, true, "PEM_write_bio_PrivateKey", [key](BIO* bio) {
    return PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  });
  write_pem(files.cert, false, "PEM_write_bio_X509", [cert](BIO* bio) { return PEM_write_bio_X509(bio, cert); });
}

key_ptr new_key(const std::filesystem::path& file) {
  key_ptr key{EVP_EC_gen("P-256")};
  if (!key) fail("EVP_EC_gen(P-256) for " + file.string());
  return key;
}

/// A certificate without extensions yet: version 3, random serial, validity, subject, key.
x509_ptr new_certificate(const std::filesystem::path& file, EVP_PKEY* key, const std::string& common_name,
                         int not_before_days, int valid_days) {
  const std::string where = file.string();
  if (valid_days < 1)
    throw error(error_id, where + ": a certificate is valid for at least 1 day, not " + std::to_string(valid_days));
  const long long last_day = static_cast<long long>(not_before_days) + valid_days;
  if (last_day > INT_MAX) throw error(error_id, where + ": the validity ends too far in the future");

  x509_ptr cert{X509_new()};
  if (!cert) fail("X509_new for " + where);
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1) fail("X509_set_version for " + where);

  // Random, so that a certificate made again for the same name never shares a serial with the
  // one it replaces (clients that cache certificates by issuer and serial would mix them up).
  std::array<unsigned char, 16> serial{};
  if (RAND_bytes(serial.data(), static_cast<int>(serial.size())) != 1) fail("RAND_bytes for the serial of " + where);
  const bignum_ptr number{BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr)};
  if (!number || BN_to_ASN1_INTEGER(number.get(), X509_get_serialNumber(cert.get())) == nullptr)
    fail("BN_to_ASN1_INTEGER for the serial of " + where);

  // Both ends from one clock reading: two readings could straddle a second and stretch it.
  std::time_t now = std::time(nullptr);
  if (X509_time_adj_ex(X509_getm_notBefore(cert.get()), not_before_days, 0, &now) == nullptr)
    fail("X509_time_adj_ex for the start of " + where);
  if (X509_time_adj_ex(X509_getm_notAfter(cert.get()), static_cast<int>(last_day), 0, &now) == nullptr)
    fail("X509_time_adj_ex for the end of " + where);

  if (X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.data()),
                                 static_cast<int>(common_name.size()), -1, 0) != 1)
    fail("X509_NAME_add_entry_by_txt(CN=" + printable(common_name) + ") for " + where);
  if (X509_set_pubkey(cert.get(), key) != 1) fail("X509_set_pubkey for " + where);
  return cert;
}

/// Added in order: the authority key identifier reads the subject key identifier added before it.
void add_extension(X509* cert, X509V3_CTX* ctx, int nid, const char* value, const std::filesystem::path& file) {
  const extension_ptr ext{X509V3_EXT_conf_nid(nullptr, ctx, nid, value)};
  if (!ext) fail(std::string{"X509V3_EXT_conf_nid("} + OBJ_nid2sn(nid) + ", " + value + ") for " + file.string());
  if (X509_add_ext(cert, ext.get(), -1) != 1) fail(std::string{"X509_add_ext("} + OBJ_nid2sn(nid) + ") for " + file.string());
}

/// The address in network byte order, 4 or 16 bytes; empty for anything else. inet_pton rather
/// than OpenSSL's parser, which takes "10.0.0.1junk" for 10.0.0.1.
std::string address_bytes(const std::string& text) {
  std::array<unsigned char, 16> bytes{};
  if (::inet_pton(AF_INET, text.c_str(), bytes.data()) == 1) return std::string(bytes.begin(), bytes.begin() + 4);
  if (::inet_pton(AF_INET6, text.c_str(), bytes.data()) == 1) return std::string(bytes.begin(), bytes.end());
  return {};
}

/// Checks what a request names before any key is made or file written.
void check_request(const certificate_request& request) {
  for (const std::string& ip : request.ip_addresses)
    if (address_bytes(ip).empty())
      throw error(error_id, "\"" + printable(ip) + "\" is not an IPv4 or IPv6 address");
  for (const std::string& dns : request.dns_names) {
    bool ok = !dns.empty();
    for (const char c : dns) ok = ok && c > ' ' && c < '\x7f';  // IA5String, and no space a client would split at
    if (!ok) throw error(error_id, "\"" + printable(dns) + "\" is not a DNS name");
  }
}

void push_name(GENERAL_NAMES* names, int type, ASN1_STRING* value, const std::filesystem::path& file) {
  general_name_ptr name{GENERAL_NAME_new()};
  if (!name) {
    ASN1_STRING_free(value);
    fail("GENERAL_NAME_new for " + file.string());
  }
  GENERAL_NAME_set0_value(name.get(), type, value);
  if (sk_GENERAL_NAME_push(names, name.get()) == 0) fail("sk_GENERAL_NAME_push for " + file.string());
  (void)name.release();  // the stack owns it now
}

/// Built as GENERAL_NAMES rather than through a "DNS:...,IP:..." configuration string, whose
/// commas and colons a name would have to be escaped against.
void add_subject_alt_names(X509* cert, const certificate_request& request, const std::filesystem::path& file) {
  if (request.dns_names.empty() && request.ip_addresses.empty()) return;
  const general_names_ptr names{GENERAL_NAMES_new()};
  if (!names) fail("GENERAL_NAMES_new for " + file.string());
  const auto make_string = [&](ASN1_STRING* s, std::string_view bytes) {
    string_ptr owned{s};
    if (!owned || ASN1_STRING_set(owned.get(), bytes.data(), static_cast<int>(bytes.size())) != 1)
      fail("ASN1_STRING_set for the subjectAltName of " + file.string());
    return owned;
  };
  for (const std::string& dns : request.dns_names)
    push_name(names.get(), GEN_DNS, make_string(ASN1_IA5STRING_new(), dns).release(), file);
  for (const std::string& ip : request.ip_addresses)
    push_name(names.get(), GEN_IPADD, make_string(ASN1_OCTET_STRING_new(), address_bytes(ip)).release(), file);
  if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_APPEND) != 1)
    fail("X509_add1_ext_i2d(subjectAltName) for " + file.string());
}

void sign(X509* cert, EVP_PKEY* issuer_key, const std::filesystem::path& file) {
  if (X509_sign(cert, issuer_key, EVP_sha256()) <= 0) fail("X509_sign of " + file.string());
}

x509_ptr read_certificate(const std::filesystem::path& file) {
  const bio_ptr bio{BIO_new_file(file.c_str(), "r")};
  if (!bio) fail("reading the certificate " + file.string());
  x509_ptr cert{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)};
  if (!cert) fail("PEM_read_bio_X509 of " + file.string());
  return cert;
}

key_ptr read_key(const std::filesystem::path& file) {
  const bio_ptr bio{BIO_new_file(file.c_str(), "r")};
  if (!bio) fail("reading the key " + file.string());
  // Without a callback, OpenSSL would prompt on the terminal for an encrypted key's passphrase.
  const auto no_passphrase = [](char*, int, int, void*) { return 0; };
  key_ptr key{PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr)};
  if (!key) fail("PEM_read_bio_PrivateKey of " + file.string());
  return key;
}

}  // namespace

pem_pair make_authority(const std::filesystem::path& dir, const std::string& name, int valid_days) {
  ERR_clear_error();  // only this call's reasons in its message
  const pem_pair files = files_for(dir, name);
  make_dir(dir);
  const key_ptr key = new_key(files.key);
  const x509_ptr cert = new_certificate(files.cert, key.get(), name, 0, valid_days);
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())) != 1)
    fail("X509_set_issuer_name for " + files.cert.string());
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  if (X509V3_set_issuer_pkey(&ctx, key.get()) != 1) fail("X509V3_set_issuer_pkey for " + files.cert.string());
  add_extension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE", files.cert);
  add_extension(cert.get(), &ctx, NID_key_usage, "critical,keyCertSign,cRLSign", files.cert);
  add_extension(cert.get(), &ctx, NID_subject_key_identifier, "hash", files.cert);
  add_extension(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always", files.cert);
  sign(cert.get(), key.get(), files.cert);
  write_pair(files, cert.get(), key.get());
  return files;
}

pem_pair issue_certificate(const pem_pair& ca, const std::filesystem::path& dir, const std::string& name,
                           const certificate_request& request) {
  ERR_clear_error();
  const pem_pair files = files_for(dir, name);
  check_request(request);
  const x509_ptr ca_cert = read_certificate(ca.cert);
  const key_ptr ca_key = read_key(ca.key);
  if (X509_check_private_key(ca_cert.get(), ca_key.get()) != 1)
    fail(ca.key.string() + " as the key of " + ca.cert.string());
  make_dir(dir);
  const key_ptr key = new_key(files.key);
  const x509_ptr cert = new_certificate(files.cert, key.get(), request.common_name.empty() ? name : request.common_name,
                                        request.not_before_days, request.valid_days);
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert.get())) != 1)
    fail("X509_set_issuer_name for " + files.cert.string());
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, ca_cert.get(), cert.get(), nullptr, nullptr, 0);
  add_extension(cert.get(), &ctx, NID_basic_constraints, "CA:FALSE", files.cert);
  add_extension(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature,keyEncipherment", files.cert);
  add_extension(cert.get(), &ctx, NID_ext_key_usage, request.client ? "serverAuth,clientAuth" : "serverAuth", files.cert);
  add_extension(cert.get(), &ctx, NID_subject_key_identifier, "hash", files.cert);
  // The issuer's key identifier where it has one (ours do), else its name and serial: an
  // authority made by other tools may lack the identifier.
  add_extension(cert.get(), &ctx, NID_authority_key_identifier, "keyid,issuer", files.cert);
  add_subject_alt_names(cert.get(), request, files.cert);
  sign(cert.get(), ca_key.get(), files.cert);
  write_pair(files, cert.get(), key.get());
  return files;
}

}  // namespace rcplan::redis
