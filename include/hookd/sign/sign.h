// The hookd signing library: sign and verify webhooks in the Standard Webhooks format and in the
// schemes of GitHub, Stripe, Shopify, Slack, GitLab and Twilio, plus generic HMAC headers.
// Link the CMake target hookd::sign; it needs only OpenSSL 3.
#pragma once

#include "hookd/sign/error.h"
#include "hookd/sign/github.h"
#include "hookd/sign/gitlab.h"
#include "hookd/sign/headers.h"
#include "hookd/sign/hmac.h"
#include "hookd/sign/options.h"
#include "hookd/sign/scheme.h"
#include "hookd/sign/secret.h"
#include "hookd/sign/shopify.h"
#include "hookd/sign/slack.h"
#include "hookd/sign/standard.h"
#include "hookd/sign/stripe.h"
#include "hookd/sign/twilio.h"
