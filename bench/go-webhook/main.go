// A controller-runtime mutating webhook doing the same stamping as metricops' webhook (images, deployed-at, rules
// from metricops.io/slo), for the benchmark baseline only: `npm run bench -- webhook` builds and runs it.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"reflect"
	"strings"
	"time"

	"go.uber.org/zap/zapcore"
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

type guardingAlert struct {
	Alert    string            `json:"alert"`
	Severity string            `json:"severity"`
	Slo      string            `json:"slo,omitempty"`
	Labels   map[string]string `json:"labels"`
}

type stamper struct {
	decoder admission.Decoder
	rules   map[string][]guardingAlert
}

func (s *stamper) Handle(_ context.Context, req admission.Request) admission.Response {
	if req.Kind.Group != "apps" || req.Kind.Kind != "Deployment" || (req.Operation != "CREATE" && req.Operation != "UPDATE") {
		return admission.Allowed("")
	}
	var deployment appsv1.Deployment
	if err := s.decoder.Decode(req, &deployment); err != nil {
		return admission.Allowed("not stamped: " + err.Error())
	}
	var old appsv1.Deployment
	rollout := true
	if req.Operation == "UPDATE" {
		if err := s.decoder.DecodeRaw(req.OldObject, &old); err == nil {
			rollout = !reflect.DeepEqual(old.Spec.Template, deployment.Spec.Template)
		}
	}
	if deployment.Annotations == nil {
		deployment.Annotations = map[string]string{}
	}
	images := map[string]string{}
	for _, c := range deployment.Spec.Template.Spec.Containers {
		images[c.Name] = c.Image
	}
	for _, c := range deployment.Spec.Template.Spec.InitContainers {
		images["init:"+c.Name] = c.Image
	}
	imagesJSON, _ := json.Marshal(images)
	deployment.Annotations["metricops.io/images"] = string(imagesJSON)
	if rollout {
		deployment.Annotations["metricops.io/deployed-at"] = time.Now().UTC().Format(time.RFC3339)
	} else if at, ok := old.Annotations["metricops.io/deployed-at"]; ok {
		deployment.Annotations["metricops.io/deployed-at"] = at
	}
	alerts := []guardingAlert{}
	for _, name := range strings.Split(deployment.Annotations["metricops.io/slo"], ",") {
		alerts = append(alerts, s.rules[strings.TrimSpace(name)]...)
	}
	rulesJSON, _ := json.Marshal(alerts)
	deployment.Annotations["metricops.io/rules"] = string(rulesJSON)
	marshaled, err := json.Marshal(&deployment)
	if err != nil {
		return admission.Allowed("not stamped: " + err.Error())
	}
	return admission.PatchResponseFromRaw(req.Object.Raw, marshaled)
}

func main() {
	port := flag.Int("port", 9443, "HTTPS port")
	certDir := flag.String("cert-dir", "", "directory with tls.crt and tls.key")
	flag.Parse()
	ctrl.SetLogger(zap.New(zap.Level(zapcore.ErrorLevel)))
	server := webhook.NewServer(webhook.Options{Host: "127.0.0.1", Port: *port, CertDir: *certDir})
	rules := map[string][]guardingAlert{
		"checkout-availability": {
			{Alert: "CheckoutAvailabilityBudgetBurn", Severity: "page", Slo: "checkout-availability", Labels: map[string]string{"slo": "checkout-availability", "slo_severity": "page"}},
			{Alert: "CheckoutAvailabilityBudgetBurn", Severity: "ticket", Slo: "checkout-availability", Labels: map[string]string{"slo": "checkout-availability", "slo_severity": "ticket"}},
		},
	}
	server.Register("/mutate", &webhook.Admission{Handler: &stamper{decoder: admission.NewDecoder(scheme.Scheme), rules: rules}})
	if err := server.Start(ctrl.SetupSignalHandler()); err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
}
