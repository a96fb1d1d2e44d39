#include "core/config/order_writer.h"

#include <yaml-cpp/yaml.h>

#include "core/util/encoding.h"

namespace leea::config {
namespace {

void emit_reference(YAML::Emitter& y, const ReferenceValues& ref) {
  y << YAML::Key << "reference" << YAML::Value << YAML::BeginMap;
  if (!ref.digests.empty()) {
    y << YAML::Key << "digests" << YAML::Value << YAML::BeginMap;
    for (const auto& [name, d] : ref.digests) {
      y << YAML::Key << name << YAML::Value << YAML::DoubleQuoted << format_tagged_digest(d);
    }
    y << YAML::EndMap;
  }
  if (!ref.allowed.empty()) {
    y << YAML::Key << "allowed" << YAML::Value << YAML::BeginMap;
    for (const auto& [name, values] : ref.allowed) {
      y << YAML::Key << name << YAML::Value << YAML::Flow << YAML::BeginSeq;
      for (const auto& v : values) y << YAML::DoubleQuoted << v;
      y << YAML::EndSeq;
    }
    y << YAML::EndMap;
  }
  if (!ref.skip.empty()) {
    y << YAML::Key << "skip" << YAML::Value << YAML::BeginSeq;
    for (const auto& s : ref.skip) {
      y << YAML::BeginMap << YAML::Key << "name" << YAML::Value << s.name << YAML::Key << "reason"
        << YAML::Value << YAML::DoubleQuoted << s.reason << YAML::EndMap;
    }
    y << YAML::EndSeq;
  }
  y << YAML::EndMap;
}

void emit_policy(YAML::Emitter& y, const GuestPolicy& p) {
  y << YAML::Key << "policy" << YAML::Value << YAML::BeginMap;
  y << YAML::Key << "debug" << YAML::Value << p.debug;
  y << YAML::Key << "smt" << YAML::Value << p.smt;
  y << YAML::Key << "migration" << YAML::Value << p.migration;
  if (p.min_tcb) y << YAML::Key << "min_tcb" << YAML::Value << YAML::DoubleQuoted << *p.min_tcb;
  y << YAML::EndMap;
}

std::string emit(const OrderConfig& o) {
  YAML::Emitter y;
  y.SetBoolFormat(YAML::TrueFalseBool);
  y << YAML::BeginMap;
  y << YAML::Key << "version" << YAML::Value << kOrderVersion;
  y << YAML::Key << "id" << YAML::Value << o.id;
  if (o.node) y << YAML::Key << "node" << YAML::Value << *o.node;
  y << YAML::Key << "tee" << YAML::Value;
  if (o.tee.size() == 1) {
    y << std::string(tee_kind_name(o.tee.front()));
  } else {
    y << YAML::Flow << YAML::BeginSeq;
    for (auto k : o.tee) y << std::string(tee_kind_name(k));
    y << YAML::EndSeq;
  }
  if (o.threshold) y << YAML::Key << "threshold" << YAML::Value << *o.threshold;
  if (o.shares) y << YAML::Key << "shares" << YAML::Value << *o.shares;
  if (o.tpm) {
    y << YAML::Key << "tpm" << YAML::Value << YAML::BeginMap;
    y << YAML::Key << "ak" << YAML::Value << base64_encode(o.tpm->ak);
    y << YAML::Key << "pcr" << YAML::Value << o.tpm->pcr;
    y << YAML::EndMap;
  }
  emit_reference(y, o.reference);
  emit_policy(y, o.policy);
  y << YAML::EndMap;
  return std::string(y.c_str()) + "\n";
}

}  // namespace

Result<std::string> format_order(const OrderConfig& order) {
  std::string text;
  try {
    text = emit(order);
  } catch (const YAML::Exception& e) {
    return make_error(Errc::internal, std::string("writing the order: ") + e.what());
  }
  LEEA_ASSIGN_OR_RETURN(OrderConfig again, load_order_string(text, order.source));
  std::string twice;
  try {
    twice = emit(again);
  } catch (const YAML::Exception& e) {
    return make_error(Errc::internal, std::string("writing the order: ") + e.what());
  }
  if (twice != text) {
    return make_error(Errc::internal, "the order written does not read back the same");
  }
  return text;
}

}  // namespace leea::config
