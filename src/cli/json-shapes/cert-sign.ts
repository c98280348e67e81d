import { document, issuedCertificate } from "./common.js";

export const certSignShape = document(
  issuedCertificate.shape,
  "pgwarden cert sign: the certificate signed for the request (keyPath null)",
);
