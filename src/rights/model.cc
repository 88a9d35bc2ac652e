#include "rights/model.h"

#include <string>
#include <string_view>
#include <vector>

#include "core/text.h"

namespace accord::rights {
namespace {}  // namespace

std::string_view ScopeName(Scope scope) {
  switch (scope) {
    case Scope::kRecommend:
      return "recommend";
    case Scope::kDj:
      return "dj";
    case Scope::kDjVoice:
      return "dj_voice";
    case Scope::kRemix:
      return "remix";
    case Scope::kMashup:
      return "mashup";
    case Scope::kTraining:
      return "training";
    case Scope::kVoiceModel:
      return "voice_model";
    case Scope::kGeneration:
      return "generation";
  }
  return "unknown";  // only through a cast of an out-of-range integer
}

Result<Scope> ParseScope(std::string_view name) {
  for (Scope scope : kAllScopes) {
    if (name == ScopeName(scope)) return scope;
  }
  std::string valid;
  for (Scope scope : kAllScopes) {
    if (!valid.empty()) valid += ", ";
    valid += ScopeName(scope);
  }
  return InvalidArgumentError("scope " + QuoteForError(name) + ": expected one of " + valid);
}

bool UsesComposition(Scope scope) {
  switch (scope) {
    case Scope::kRemix:
    case Scope::kMashup:
    case Scope::kTraining:
    case Scope::kGeneration:
      return true;
    // A DJ set, a recommendation, a DJ voice and a voice model use the recording or the artist's
    // voice but do not rework the song itself, so only the master side licenses them.
    case Scope::kRecommend:
    case Scope::kDj:
    case Scope::kDjVoice:
    case Scope::kVoiceModel:
      return false;
  }
  // An out-of-range value is treated as needing both sides: asking one licence too many is
  // safe, using a song without its publisher's permission is not.
  return true;
}

std::vector<Scope> ScopeSet::ToVector() const {
  std::vector<Scope> out;
  for (Scope scope : kAllScopes) {
    if (Contains(scope)) out.push_back(scope);
  }
  return out;
}

std::string_view ConsentChoiceName(ConsentChoice choice) {
  switch (choice) {
    case ConsentChoice::kOptIn:
      return "opt_in";
    case ConsentChoice::kOptOut:
      return "opt_out";
  }
  return "unknown";  // only through a cast of an out-of-range integer
}

Result<ConsentChoice> ParseConsentChoice(std::string_view name) {
  for (ConsentChoice choice : {ConsentChoice::kOptIn, ConsentChoice::kOptOut}) {
    if (name == ConsentChoiceName(choice)) return choice;
  }
  return InvalidArgumentError("consent choice " + QuoteForError(name) +
                              ": expected opt_in or opt_out");
}

std::string_view TakedownActionName(TakedownAction action) {
  switch (action) {
    case TakedownAction::kBlock:
      return "block";
    case TakedownAction::kLift:
      return "lift";
  }
  return "unknown";  // only through a cast of an out-of-range integer
}

Result<TakedownAction> ParseTakedownAction(std::string_view name) {
  for (TakedownAction action : {TakedownAction::kBlock, TakedownAction::kLift}) {
    if (name == TakedownActionName(action)) return action;
  }
  return InvalidArgumentError("takedown action " + QuoteForError(name) +
                              ": expected block or lift");
}

std::string_view ConsentModeName(ConsentMode mode) {
  switch (mode) {
    case ConsentMode::kOptIn:
      return "opt_in";
    case ConsentMode::kOptOut:
      return "opt_out";
  }
  return "unknown";  // only through a cast of an out-of-range integer
}

Result<ConsentMode> ParseConsentMode(std::string_view name) {
  for (ConsentMode mode : {ConsentMode::kOptIn, ConsentMode::kOptOut}) {
    if (name == ConsentModeName(mode)) return mode;
  }
  return InvalidArgumentError("consent mode " + QuoteForError(name) +
                              ": expected opt_in or opt_out");
}

}  // namespace accord::rights
